import type { Prisma, PrismaClient } from "../db/generated/client";
import { enqueueRunFinished } from "../webhooks/outbox";
import { appendRunLog } from "./run-log";

// The run queue lives in the TrainingRun table: a worker claims the oldest queued run with
// FOR UPDATE SKIP LOCKED (so no two workers ever take the same run), heartbeats while it works,
// and any worker reaps runs whose heartbeat stopped.

export const RUN_QUEUED_CHANNEL = "run_queued";
export const RUN_EVENTS_CHANNEL = "run_events";

export async function notifyRunQueued(db: Pick<PrismaClient, "$executeRaw">): Promise<void> {
  await db.$executeRaw`SELECT pg_notify(${RUN_QUEUED_CHANNEL}, '')`;
}

export async function notifyRunEvent(db: PrismaClient, runId: string): Promise<void> {
  await db.$executeRaw`SELECT pg_notify(${RUN_EVENTS_CHANNEL}, ${runId})`;
}

/** Atomically takes the oldest queued run for this worker; null when the queue is empty. */
export async function claimNextRun(db: PrismaClient, workerId: string): Promise<string | null> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    UPDATE "TrainingRun" SET status = 'running', phase = 'starting', "workerId" = ${workerId},
           "startedAt" = now(), "heartbeatAt" = now()
    WHERE id = (
      SELECT id FROM "TrainingRun" WHERE status = 'queued'
      ORDER BY "createdAt", id FOR UPDATE SKIP LOCKED LIMIT 1
    )
    RETURNING id`;
  return rows[0]?.id ?? null;
}

/** Records that the worker still holds the run; returns whether a cancel or a stop was requested. */
export async function heartbeatRun(db: PrismaClient, runId: string, workerId: string): Promise<{ cancelRequested: boolean; stopRequested: boolean; lost: boolean }> {
  const rows = await db.$queryRaw<{ cancelRequested: boolean; stopRequested: boolean }[]>`
    UPDATE "TrainingRun" SET "heartbeatAt" = now()
    WHERE id = ${runId} AND "workerId" = ${workerId} AND status = 'running'
    RETURNING "cancelRequested", "stopRequested"`;
  return { cancelRequested: rows[0]?.cancelRequested ?? false, stopRequested: rows[0]?.stopRequested ?? false, lost: rows.length === 0 };
}

/**
 * "Stop and keep the best so far": flags a running run; its worker ends training at the next step
 * (from the end of the first epoch on), keeps the best weights, evaluates and saves them. Returns
 * false when the run is not running (a queued run is cancelled instead).
 */
export async function requestStop(db: PrismaClient, runId: string): Promise<boolean> {
  const n = await db.$executeRaw`UPDATE "TrainingRun" SET "stopRequested" = true WHERE id = ${runId} AND status = 'running'`;
  if (n > 0) await notifyRunEvent(db, runId);
  return n > 0;
}

export interface RunOwnership {
  status: string;
  workerId: string | null;
  cancelRequested: boolean;
}

/**
 * Locks a run's row until the transaction ends and returns who holds it: while the lock is held,
 * neither the reaper, nor a cancel, nor another worker can change the run. Null if there is no run.
 */
export async function lockRun(tx: Prisma.TransactionClient, runId: string): Promise<RunOwnership | null> {
  const rows = await tx.$queryRaw<RunOwnership[]>`
    SELECT status::text AS status, "workerId", "cancelRequested" FROM "TrainingRun" WHERE id = ${runId} FOR UPDATE`;
  return rows[0] ?? null;
}

export async function heartbeatWorker(db: PrismaClient, worker: { id: string; hostname: string; pid: number; device: string }): Promise<void> {
  await db.worker.upsert({
    where: { id: worker.id },
    create: { ...worker },
    update: { heartbeatAt: new Date() },
  });
}

/**
 * Fails every running run whose worker has not heartbeated for `staleSeconds`, with a log line
 * saying so. Returns the ids it failed. A run whose row is locked (its worker is saving it, see
 * save-candidate.ts) is skipped: its save either commits (the run succeeded) or rolls back, and a
 * later pass reaps it.
 */
export async function reapStaleRuns(db: PrismaClient, staleSeconds: number): Promise<string[]> {
  const message = `The worker running this run stopped responding (no heartbeat for over ${staleSeconds} s): it was probably killed or lost its connection. Nothing was saved; start the run again.`;
  const stale = await db.$queryRaw<{ any: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM "TrainingRun" WHERE status = 'running' AND "heartbeatAt" < now() - make_interval(secs => ${staleSeconds})) AS any`;
  if (!stale[0]?.any) return []; // the usual case: no transaction at every poll
  // One transaction: a reaped run gains its log line and its run.finished notification, or nothing.
  const ids = await db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      UPDATE "TrainingRun" SET status = 'failed', phase = 'failed', error = ${message}, "finishedAt" = now()
      WHERE id IN (
        SELECT id FROM "TrainingRun"
        WHERE status = 'running' AND "heartbeatAt" < now() - make_interval(secs => ${staleSeconds})
        FOR UPDATE SKIP LOCKED
      )
      RETURNING id`;
    for (const { id } of rows) {
      await appendRunLog(tx, id, message, "error");
      await enqueueRunFinished(tx, id);
    }
    return rows.map((r) => r.id);
  });
  for (const id of ids) await notifyRunEvent(db, id);
  return ids;
}

/**
 * Cancels a run: a queued run ends at once; a running one is flagged and its worker stops at its
 * next step. Returns false when the run had already finished.
 */
export async function requestCancel(db: PrismaClient, runId: string): Promise<boolean> {
  const queued = await db.$transaction(async (tx) => {
    const ended = await tx.trainingRun.updateMany({
      where: { id: runId, status: "queued" },
      data: { status: "cancelled", phase: "cancelled", finishedAt: new Date(), cancelRequested: true },
    });
    if (ended.count > 0) await enqueueRunFinished(tx, runId);
    return ended;
  });
  if (queued.count === 0) {
    const running = await db.trainingRun.updateMany({ where: { id: runId, status: "running" }, data: { cancelRequested: true } });
    if (running.count === 0) return false;
  }
  await notifyRunEvent(db, runId);
  return true;
}
