import assert from "node:assert/strict";
import type { Db } from "../../lib/db/client";
import { enqueueRun } from "../../lib/runs/web/enqueue";
import { startWorkerProcess, waitFor, type Proc } from "./processes";

// Queueing runs, waiting for them to end, and worker processes that a test file kills at its end.

const FINISHED = ["succeeded", "failed", "cancelled"];

export async function queueRun(db: Db, body: Record<string, unknown>): Promise<string> {
  const r = await enqueueRun(db, body, null);
  assert.ok(r.ok, JSON.stringify(r));
  return r.id;
}

export function runFinished(db: Db, id: string, timeoutMs = 120_000) {
  return waitFor(`run ${id} to finish`, async () => {
    const r = await db.trainingRun.findUniqueOrThrow({ where: { id } });
    return FINISHED.includes(r.status) ? r : null;
  }, timeoutMs, 50);
}

/** Starts real worker processes with `env()` (plus each one's extra variables); `killAll` SIGKILLs every one (stopped ones too). */
export function workerProcesses(env: () => Record<string, string>) {
  const procs: Proc[] = [];
  return {
    start(extra: Record<string, string> = {}): Proc {
      const p = startWorkerProcess({ ...env(), ...extra });
      procs.push(p);
      return p;
    },
    killAll: () => Promise.all(procs.map((p) => p.stop("SIGKILL"))),
  };
}
