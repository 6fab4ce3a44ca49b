// Runs the embedded PostgreSQL in a process of its own (its own process group, so a terminal's
// Ctrl-C reaches the web server and worker first, and PostgreSQL is stopped after them).
// Prints "READY <server url>"; stops on SIGTERM/SIGINT or when its parent goes away (stdin closes).
// Usage: tsx scripts/embedded-postgres.ts <dataDir> <port|0> [--ephemeral]
import { freePort, startEmbeddedPostgres } from "../lib/db/embedded";

const [dataDir, portArg] = process.argv.slice(2);
const persistent = !process.argv.includes("--ephemeral");
try {
  const port = Number(portArg) || (await freePort());
  const pg = await startEmbeddedPostgres({ dataDir, port, persistent });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    pg.stop().finally(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  process.stdin.on("end", stop);
  process.stdin.on("close", stop);
  process.stdin.resume();
  console.log(`READY ${pg.adminUrl.replace(/\/postgres$/, "")}`);
} catch (err) {
  console.log(`FAILED ${(err as Error).message.replace(/\n/g, " ")}`);
  process.exit(1);
}
