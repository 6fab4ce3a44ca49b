import { createDb } from "../lib/db/client";
import { runningEmbeddedDatabaseUrl } from "../lib/db/embedded-connection";
import { dataDir, env } from "../lib/env";
import { startWorker } from "../lib/runs/worker/loop";

// `npm run worker`: one more worker against DATABASE_URL, or, without it, against the embedded
// PostgreSQL that `npm start` runs (DATA_DIR, PG_PORT). Any number may run, on any machines.

const e = env();
const url = await databaseUrlOrExit();
const db = createDb(url, 4);
const worker = startWorker({
  db,
  databaseUrl: url,
  heartbeatMs: e.WORKER_HEARTBEAT_MS,
  pollMs: e.WORKER_POLL_MS,
  staleSeconds: e.RUN_STALE_SECONDS,
});

let stopping = false;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    console.log(`worker ${worker.id}: ${sig}, stopping`);
    worker.stop().finally(() => db.$disconnect().finally(() => process.exit(0)));
  });
}

worker.done.catch((err) => {
  console.error(`worker ${worker.id} crashed:`, err);
  process.exit(1);
});

async function databaseUrlOrExit(): Promise<string> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  try {
    return await runningEmbeddedDatabaseUrl({ dataDir: dataDir(), port: e.PG_PORT });
  } catch (err) {
    console.error(`worker: ${(err as Error).message}`);
    process.exit(1);
  }
}
