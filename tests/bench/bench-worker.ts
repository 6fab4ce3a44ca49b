import type { Db } from "../../lib/db/client";
import { env } from "../../lib/env";
import { startWorker, type WorkerHandle } from "../../lib/runs/worker/loop";

/**
 * The real worker loop in this process, printing its log except the per-step loss lines.
 * Resolves once the worker listens, so a run is claimed on its NOTIFY as in production.
 */
export async function startBenchWorker(db: Db, databaseUrl: string, say: (line: string) => void): Promise<WorkerHandle> {
  const e = env();
  const worker = startWorker({
    db,
    databaseUrl,
    heartbeatMs: e.WORKER_HEARTBEAT_MS,
    pollMs: e.WORKER_POLL_MS,
    staleSeconds: e.RUN_STALE_SECONDS,
    log: (l) => {
      if (!/\] step \d+\//.test(l)) say(`  [worker] ${l}`);
    },
  });
  for (let i = 0; i < 200 && (await db.worker.count()) === 0; i++) await new Promise((r) => setTimeout(r, 25));
  return worker;
}

/** The run once it has ended (any status but queued and running), polled every `everyMs`. */
export async function waitForRunEnd(db: Db, id: string, everyMs = 100) {
  for (;;) {
    const run = await db.trainingRun.findUniqueOrThrow({ where: { id } });
    if (run.status !== "queued" && run.status !== "running") return run;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
