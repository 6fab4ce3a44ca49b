// Runs an embedded PostgreSQL for the test suite until SIGTERM; prints "READY <admin url>".
import { freePort, startEmbeddedPostgres } from "../../lib/db/embedded";

const dir = process.argv[2];
const pg = await startEmbeddedPostgres({ dataDir: dir, port: await freePort(), persistent: false });
console.log(`READY ${pg.adminUrl}`);
const stop = () => pg.stop().finally(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
