import os from "node:os";
import { randomBytes } from "node:crypto";
import type { PrismaClient } from "../../db/generated/client";
import { databaseAnswers, retryThroughOutage } from "../../db/outage";
import { removeStaleStagingDirs } from "../../versions/store";
import { RunFailure, runTraining } from "./run-training";
import { claimNextRun, heartbeatRun, heartbeatWorker, lockRun, notifyRunEvent, reapStaleRuns } from "../queue";
import { appendRunLog, createRunReporter } from "../reporter";
import { describeEnd, isCancellation, type RunEnd } from "../run-end";
import { listenForQueuedRuns } from "./wake-listener";

// The worker's main loop: reap runs whose worker died, claim the next queued run, run it while
// heartbeating (which also picks up cancellation), record how it ended; sleep until NOTIFY or poll.
// A run that succeeds is recorded by its own save transaction (save-candidate.ts); any other end is
// recorded here, only while the run is still this worker's. A lost database connection is waited
// out: the loop retries, and the run it broke is failed with that reason once the database is back.

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

const OUTAGE_RETRY_MAX_MS = 5000;

export function startWorker(opts: WorkerOptions): WorkerHandle {
  const { db } = opts;
  const log = opts.log ?? ((l: string) => console.log(l));
  const id = `${os.hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  const identity = { id, hostname: os.hostname(), pid: process.pid };
  let stopping = false;
  /** the run in progress's AbortController: fired on a cancel request, a lost run, or stop() */
  let current: AbortController | null = null;
  let wake: (() => void) | null = null;
  const retryMs = Math.min(OUTAGE_RETRY_MAX_MS, opts.pollMs);

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    }).finally(() => (wake = null));

  /** Records a run's end unless it is no longer this worker's (reaped, or ended by its save). */
  async function recordEnd(runId: string, err: unknown, connectionLost: boolean): Promise<RunEnd | null> {
    return db.$transaction(async (tx) => {
      const run = await lockRun(tx, runId);
      if (!run || run.status !== "running" || run.workerId !== id) return null;
      const end = describeEnd(err, { cancelRequested: run.cancelRequested, stopping, connectionLost });
      await tx.trainingRun.update({ where: { id: runId }, data: { status: end.status, phase: end.status, error: end.error, finishedAt: new Date() } });
      await appendRunLog(tx, runId, end.log, end.level);
      return end;
    });
  }

  async function execute(runId: string): Promise<void> {
    const abort = (current = new AbortController());
    if (stopping) abort.abort();
    const report = createRunReporter(db, runId, id, { echo: log, onLost: () => abort.abort() });
    const beat = setInterval(() => {
      heartbeatRun(db, runId, id)
        .then((h) => {
          if (h.cancelRequested || h.lost) abort.abort();
        })
        .catch((err) => log(`heartbeat failed: ${(err as Error).message}`));
    }, opts.heartbeatMs);
    try {
      await report.log(`Claimed by worker ${id}`);
      await runTraining({ db, runId, workerId: id, staleSeconds: opts.staleSeconds, report, signal: abort.signal });
      log(`[run ${runId}] succeeded`);
    } catch (err) {
      const expected = err instanceof RunFailure || isCancellation(err);
      const connectionLost = !expected && !(await databaseAnswers(db));
      if (!expected && !connectionLost) log(`[run ${runId}] ${(err as Error).stack}`);
      await report.flush().catch(() => {});
      try {
        const end = await retryThroughOutage(db, () => recordEnd(runId, err, connectionLost), {
          delayMs: retryMs,
          giveUp: () => stopping,
          onOutage: (e) => log(`[run ${runId}] the database does not answer (${e.message}); will record the run's end once it does`),
        });
        log(end ? `[run ${runId}] ${end.status}: ${end.error}` : `[run ${runId}] no longer this worker's; left as it is`);
      } catch (e) {
        // Only when stopping during an outage: the run stays "running" until a worker reaps it as stale.
        log(`[run ${runId}] could not record its end: ${(e as Error).message}`);
      }
    } finally {
      current = null;
      clearInterval(beat);
      await notifyRunEvent(db, runId).catch(() => {});
    }
  }

  async function loop(): Promise<void> {
    const removed = await removeStaleStagingDirs();
    if (removed.length) log(`worker ${id}: removed ${removed.length} staging folder(s) left by dead processes`);
    const listener = listenForQueuedRuns(opts.databaseUrl, () => wake?.(), { retryMs, log: (l) => !stopping && log(`worker ${id}: ${l}`) });
    const workerBeat = setInterval(() => heartbeatWorker(db, identity).catch(() => {}), opts.heartbeatMs);
    let ready = false;
    let outageSince: number | null = null;
    try {
      while (!stopping) {
        try {
          if (!ready) {
            await heartbeatWorker(db, identity);
            log(`worker ${id} ready`);
            ready = true;
          }
          const reaped = await reapStaleRuns(db, opts.staleSeconds);
          if (outageSince !== null) log(`worker ${id}: the database answers again after ${((Date.now() - outageSince) / 1000).toFixed(1)} s`);
          outageSince = null;
          for (const r of reaped) log(`[run ${r}] failed: its worker stopped heartbeating`);
          const runId = await claimNextRun(db, id);
          if (runId) {
            log(`[run ${runId}] claimed`);
            await execute(runId);
            continue;
          }
        } catch (err) {
          if (stopping) break;
          if (await databaseAnswers(db)) throw err; // not an outage: let the supervisor restart the worker
          if (outageSince === null) log(`worker ${id}: the database does not answer (${(err as Error).message}); retrying every ${retryMs} ms`);
          outageSince ??= Date.now();
        }
        await sleep(outageSince === null ? opts.pollMs : retryMs);
      }
    } finally {
      clearInterval(workerBeat);
      await db.worker.delete({ where: { id } }).catch(() => {});
      await listener.close();
    }
  }

  const done = loop();
  return {
    id,
    done,
    async stop() {
      stopping = true;
      current?.abort();
      wake?.();
      await done.catch(() => {});
    },
  };
}
