import os from "node:os";
import { randomBytes } from "node:crypto";
import type { PrismaClient } from "../../db/generated/client";
import { databaseAnswers, retryThroughOutage } from "../../db/outage";
import { removeStaleStagingDirs } from "../../versions/store";
import { RunFailure, runTraining } from "./run-training";
import { claimNextRun, heartbeatRun, heartbeatWorker, lockRun, notifyRunEvent, reapStaleRuns } from "../queue";
import { createRunReporter } from "../reporter";
import { appendRunLog } from "../run-log";
import { createPhasePlan } from "../phase-plan";
import { describeEnd, isCancellation, type RunEnd } from "../run-end";
import { listenForQueuedRuns } from "./wake-listener";
import { enqueueRunFinished } from "../../webhooks/outbox";
import { autoPromoteRun } from "../../schedules/auto-promote";
import { startPeriodicJobs } from "./periodic";
import { useDevice } from "../../onnx/device";
import { dataDir, env } from "../../env";
import { removeDeadSpills, spillDir } from "../../process/spill-files";
import { failpoint } from "../failpoint";
import { claimShard, deleteOrphanShards, failShard, reapStaleShards, releaseShard, type ClaimedShard } from "../shard-queue";
import { ShardEncoders, workShard } from "../../kinds/encoder/shard-work";

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

/** What the loop's steps share: the options, this worker's id, and whether it is stopping. */
interface WorkerState {
  opts: WorkerOptions;
  db: PrismaClient;
  log: (line: string) => void;
  id: string;
  retryMs: number;
  stopping: boolean;
  /** the run in progress's AbortController: fired on a cancel request, a lost run, or stop() */
  current: AbortController | null;
  /** ends the current sleep early (a NOTIFY, or stop()) */
  wake: (() => void) | null;
  /** the encoder kept loaded between encode shards of one spec */
  encoders: ShardEncoders;
}

export function startWorker(opts: WorkerOptions): WorkerHandle {
  const w: WorkerState = {
    opts,
    db: opts.db,
    log: opts.log ?? ((l: string) => console.log(l)),
    id: `${os.hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`,
    retryMs: Math.min(OUTAGE_RETRY_MAX_MS, opts.pollMs),
    stopping: false,
    current: null,
    wake: null,
    encoders: new ShardEncoders(),
  };
  const done = workLoop(w);
  return {
    id: w.id,
    done,
    async stop() {
      w.stopping = true;
      w.current?.abort();
      w.wake?.();
      await done.catch(() => {});
    },
  };
}

function sleep(w: WorkerState, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    w.wake = () => {
      clearTimeout(t);
      resolve();
    };
  }).finally(() => (w.wake = null));
}

/** Reap, claim, run, repeat; sleeps until NOTIFY or the poll interval; waits out database outages. */
async function workLoop(w: WorkerState): Promise<void> {
  const { db, log, id, opts, retryMs } = w;
  const { device, note } = await useDevice(env().WORKER_DEVICE);
  if (note) log(`worker ${id}: ${note}`);
  const identity = { id, hostname: os.hostname(), pid: process.pid, device };
  const removed = await removeStaleStagingDirs();
  if (removed.length) log(`worker ${id}: removed ${removed.length} staging folder(s) left by dead processes`);
  const spills = removeDeadSpills(spillDir(dataDir()));
  if (spills.length) log(`worker ${id}: removed ${spills.length} spill file(s) left by dead processes`);
  const listener = listenForQueuedRuns(opts.databaseUrl, () => w.wake?.(), { retryMs, log: (l) => !w.stopping && log(`worker ${id}: ${l}`) });
  const workerBeat = setInterval(() => heartbeatWorker(db, identity).catch(() => {}), opts.heartbeatMs);
  const periodic = startPeriodicJobs(db, { log: (l) => log(`worker ${id}: ${l}`) });
  let ready = false;
  let outageSince: number | null = null;
  try {
    while (!w.stopping) {
      try {
        if (!ready) {
          await heartbeatWorker(db, identity);
          log(`worker ${id} ready (${device})`);
          ready = true;
        }
        const reaped = await reapStaleRuns(db, opts.staleSeconds);
        if (outageSince !== null) log(`worker ${id}: the database answers again after ${((Date.now() - outageSince) / 1000).toFixed(1)} s`);
        outageSince = null;
        for (const r of reaped) log(`[run ${r}] failed: its worker stopped heartbeating`);
        if (reaped.length) await deleteOrphanShards(db);
        await reapStaleShards(db, opts.staleSeconds);
        // A shard first: it belongs to a run already under way.
        const shard = await claimShard(db, id);
        if (shard) {
          await executeShard(w, shard);
          continue;
        }
        const runId = await claimNextRun(db, id);
        if (runId) {
          log(`[run ${runId}] claimed`);
          await w.encoders.close(); // the run loads what it needs
          await executeRun(w, runId);
          continue;
        }
      } catch (err) {
        if (w.stopping) break;
        if (await databaseAnswers(db)) throw err; // not an outage: let the supervisor restart the worker
        if (outageSince === null) log(`worker ${id}: the database does not answer (${(err as Error).message}); retrying every ${retryMs} ms`);
        outageSince ??= Date.now();
      }
      await sleep(w, outageSince === null ? opts.pollMs : retryMs);
    }
  } finally {
    clearInterval(workerBeat);
    await w.encoders.close();
    await periodic.stop();
    await db.worker.delete({ where: { id } }).catch(() => {});
    await listener.close();
  }
}

/** Encodes one claimed shard of another worker's run; a shard it cannot take up counts a failed attempt. */
async function executeShard(w: WorkerState, shard: ClaimedShard): Promise<void> {
  const { db, log, id, opts } = w;
  const tag = `[run ${shard.runId}] shard ${shard.index + 1}`;
  const abort = (w.current = new AbortController());
  if (w.stopping) abort.abort();
  failpoint("shard:claimed");
  try {
    let encoder;
    try {
      encoder = await w.encoders.get(shard.spec);
    } catch (err) {
      await failShard(db, shard.id, id, (err as Error).message);
      log(`${tag}: ${(err as Error).message}`);
      return;
    }
    const outcome = await workShard(db, id, shard, encoder, { heartbeatMs: opts.heartbeatMs, signal: abort.signal });
    log(outcome.ok ? `${tag}: encoded ${shard.texts.length} texts in ${outcome.seconds.toFixed(1)} s` : `${tag}: ${outcome.error}`);
  } catch (err) {
    // Only when this worker stops: the shard goes back to the queue for another.
    await releaseShard(db, shard.id, id).catch(() => {});
    log(`${tag}: given back (${(err as Error).message})`);
  } finally {
    w.current = null;
  }
}

/** Runs one claimed run while heartbeating (which picks up cancellation), and records how it ended. */
async function executeRun(w: WorkerState, runId: string): Promise<void> {
  const { db, log, id, opts } = w;
  const abort = (w.current = new AbortController());
  if (w.stopping) abort.abort();
  const report = createRunReporter(db, runId, id, { echo: log, onLost: () => abort.abort() });
  const stop = new AbortController();
  const beat = setInterval(() => {
    heartbeatRun(db, runId, id)
      .then(async (h) => {
        if (h.cancelRequested || h.lost) abort.abort();
        else if (h.stopRequested && !stop.signal.aborted) {
          stop.abort();
          await report.log("Stop requested: training ends at its next step (not before its first epoch is done); the best weights so far are then evaluated and saved");
        }
      })
      .catch((err) => log(`heartbeat failed: ${(err as Error).message}`));
  }, opts.heartbeatMs);
  try {
    await report.log(`Claimed by worker ${id}`);
    await runTraining({ db, runId, workerId: id, staleSeconds: opts.staleSeconds, report, signal: abort.signal, stop: stop.signal, plan: createPhasePlan() });
    log(`[run ${runId}] succeeded`);
    // After the save committed: a worker dying here leaves the run succeeded and unpromoted.
    const decision = await autoPromoteRun(db, runId).catch((err) => report.log(`Auto-promotion failed: ${(err as Error).message}`, "warn"));
    if (decision) log(`[run ${runId}] ${decision.promote ? "auto-promoted" : "not auto-promoted"}: ${decision.reason}`);
  } catch (err) {
    const expected = err instanceof RunFailure || isCancellation(err);
    const connectionLost = !expected && !(await databaseAnswers(db));
    if (!expected && !connectionLost) log(`[run ${runId}] ${(err as Error).stack}`);
    await report.flush().catch(() => {});
    try {
      const end = await retryThroughOutage(db, () => recordEnd(w, runId, err, connectionLost), {
        delayMs: w.retryMs,
        giveUp: () => w.stopping,
        onOutage: (e) => log(`[run ${runId}] the database does not answer (${e.message}); will record the run's end once it does`),
      });
      log(end ? `[run ${runId}] ${end.status}: ${end.error}` : `[run ${runId}] no longer this worker's; left as it is`);
    } catch (e) {
      // Only when stopping during an outage: the run stays "running" until a worker reaps it as stale.
      log(`[run ${runId}] could not record its end: ${(e as Error).message}`);
    }
  } finally {
    w.current = null;
    clearInterval(beat);
    await notifyRunEvent(db, runId).catch(() => {});
  }
}

/** Records a run's end unless it is no longer this worker's (reaped, or ended by its save). */
async function recordEnd(w: WorkerState, runId: string, err: unknown, connectionLost: boolean): Promise<RunEnd | null> {
  return w.db.$transaction(async (tx) => {
    const run = await lockRun(tx, runId);
    if (!run || run.status !== "running" || run.workerId !== w.id) return null;
    const end = describeEnd(err, { cancelRequested: run.cancelRequested, stopping: w.stopping, connectionLost });
    await tx.trainingRun.update({ where: { id: runId }, data: { status: end.status, phase: end.status, error: end.error, finishedAt: new Date() } });
    await appendRunLog(tx, runId, end.log, end.level);
    await enqueueRunFinished(tx, runId);
    return end;
  });
}
