import os from "node:os";
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { PrismaClient } from "../db/generated/client";
import { CancelledError, RunFailure, runTraining } from "./handler";
import { claimNextRun, heartbeatRun, heartbeatWorker, notifyRunEvent, reapStaleRuns, RUN_QUEUED_CHANNEL } from "./queue";
import { appendRunLog, createRunReporter } from "./reporter";

// The worker's main loop: reap runs whose worker died, claim the next queued run, run it while
// heartbeating (which also picks up cancellation), record how it ended; sleep until NOTIFY or poll.

export interface WorkerOptions {
  db: PrismaClient;
  databaseUrl: string;
  heartbeatMs: number;
  pollMs: number;
  staleSeconds: number;
  log?: (line: string) => void;
}

export interface WorkerHandle {
  id: string;
  /** Stops claiming; a run in progress is stopped at its next step and marked failed. */
  stop(): Promise<void>;
  done: Promise<void>;
}

export function startWorker(opts: WorkerOptions): WorkerHandle {
  const { db } = opts;
  const log = opts.log ?? ((l: string) => console.log(l));
  const id = `${os.hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  const identity = { id, hostname: os.hostname(), pid: process.pid };
  let stopping = false;
  let wake: (() => void) | null = null;
  const listener = new pg.Client({ connectionString: opts.databaseUrl });

  async function execute(runId: string): Promise<void> {
    let cancelRequested = false;
    let lost = false;
    const report = createRunReporter(db, runId, { echo: log });
    const beat = setInterval(() => {
      heartbeatRun(db, runId, id)
        .then((h) => {
          cancelRequested ||= h.cancelRequested;
          lost ||= h.lost;
        })
        .catch((err) => log(`heartbeat failed: ${(err as Error).message}`));
    }, opts.heartbeatMs);
    const finish = async (status: "succeeded" | "failed" | "cancelled", error: string | null) => {
      await report.flush().catch(() => {});
      // If the database is gone, the run stays "running" until a worker reaps it as stale.
      await db.trainingRun.updateMany({
        where: { id: runId, workerId: id, status: "running" },
        data: { status, phase: status === "succeeded" ? "done" : status, error, finishedAt: new Date(), ...(status === "succeeded" ? { progress: 1 } : {}) },
      }).catch((err) => log(`[run ${runId}] could not record the end (${status}): ${(err as Error).message}`));
      await notifyRunEvent(db, runId).catch(() => {});
    };
    try {
      await report.log(`Claimed by worker ${id}`);
      await runTraining({ db, runId, report, isCancelled: () => cancelRequested || lost || stopping });
      await finish("succeeded", null);
      log(`[run ${runId}] succeeded`);
    } catch (err) {
      if (err instanceof CancelledError || (err as Error).name === "CancelledError") {
        if (cancelRequested) {
          await report.log("Cancelled on request; nothing was saved", "warn");
          await finish("cancelled", "Cancelled on request");
        } else {
          const why = lost ? "this worker lost its claim on the run" : "the worker was stopped before the run finished";
          await appendRunLog(db, runId, `Stopped: ${why}; nothing was saved. Start the run again.`, "error").catch(() => {});
          await finish("failed", `Stopped: ${why}. Start the run again.`);
        }
      } else {
        const message = err instanceof RunFailure ? err.message : `Internal error: ${(err as Error).message}`;
        if (!(err instanceof RunFailure)) log(`[run ${runId}] ${(err as Error).stack}`);
        await appendRunLog(db, runId, message, "error").catch(() => {});
        await finish("failed", message);
      }
    } finally {
      clearInterval(beat);
    }
  }

  async function loop(): Promise<void> {
    listener.on("error", (err) => {
      if (!stopping) log(`worker ${id}: lost its LISTEN connection (${err.message}); polling every ${opts.pollMs} ms`);
    });
    await listener.connect();
    listener.on("notification", () => wake?.());
    await listener.query(`LISTEN ${RUN_QUEUED_CHANNEL}`);
    await heartbeatWorker(db, identity);
    const workerBeat = setInterval(() => heartbeatWorker(db, identity).catch(() => {}), opts.heartbeatMs);
    log(`worker ${id} ready`);
    try {
      while (!stopping) {
        const reaped = await reapStaleRuns(db, opts.staleSeconds);
        for (const r of reaped) log(`[run ${r}] failed: its worker stopped heartbeating`);
        const runId = await claimNextRun(db, id);
        if (runId) {
          log(`[run ${runId}] claimed`);
          await execute(runId);
          continue;
        }
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, opts.pollMs);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        wake = null;
      }
    } finally {
      clearInterval(workerBeat);
      await db.worker.delete({ where: { id } }).catch(() => {});
      await listener.end().catch(() => {});
    }
  }

  const done = loop();
  return {
    id,
    done,
    async stop() {
      stopping = true;
      wake?.();
      await done.catch(() => {});
    },
  };
}
