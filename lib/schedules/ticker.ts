import type { PrismaClient } from "../db/generated/client";
import { notifyRunQueued } from "../runs/queue";
import { checkRunRequest, insertQueuedRun } from "../runs/web/enqueue";
import { nextTick } from "./cron";

// The ticker, run by every worker (lib/runs/worker/periodic.ts). A due tick is claimed by moving
// the schedule's nextRunAt on with a compare-and-set (UPDATE … WHERE nextRunAt = <the tick read>):
// PostgreSQL lets exactly one of any number of racing tickers match, the others update nothing.
// In the same transaction the winner queues the run, or records why the tick is skipped (the
// previous run of the schedule is still queued or running, or the request no longer passes), so a
// tick is either claimed with its outcome or not claimed at all. Ticks missed while no ticker ran
// are not caught up one by one: the next claim fires once and moves on to the next future tick.

export type TickOutcome =
  | { scheduleId: string; outcome: "queued"; runId: string; message: string }
  | { scheduleId: string; outcome: "skipped"; message: string }
  | { scheduleId: string; outcome: "lost"; message: string };

/** Fires every schedule whose tick is due at `now`; returns what happened to each. */
export async function tickSchedules(db: PrismaClient, now = new Date()): Promise<TickOutcome[]> {
  const due = await db.schedule.findMany({
    where: { enabled: true, nextRunAt: { lte: now } },
    include: { model: { select: { name: true } } },
    orderBy: { nextRunAt: "asc" },
  });
  const outcomes: TickOutcome[] = [];
  for (const s of due) outcomes.push(await fireTick(db, s, now));
  return outcomes;
}

async function fireTick(
  db: PrismaClient,
  s: { id: string; cron: string; request: unknown; nextRunAt: Date | null; createdById: string | null; model: { name: string } },
  now: Date,
): Promise<TickOutcome> {
  const next = nextTick(s.cron, now);
  // Read-only checks first, outside the claim's transaction.
  const checked = await checkRunRequest(db, { ...(s.request as Record<string, unknown>), model: s.model.name });
  return db.$transaction(async (tx) => {
    const claimed = await tx.schedule.updateMany({ where: { id: s.id, enabled: true, nextRunAt: s.nextRunAt }, data: { nextRunAt: next } });
    if (claimed.count === 0) return { scheduleId: s.id, outcome: "lost", message: "another process claimed this tick" };
    const active = await tx.trainingRun.findFirst({ where: { scheduleId: s.id, status: { in: ["queued", "running"] } }, select: { id: true, status: true } });
    const skip = async (reason: string): Promise<TickOutcome> => {
      await tx.schedule.update({ where: { id: s.id }, data: { lastSkippedAt: now, lastSkipReason: reason } });
      return { scheduleId: s.id, outcome: "skipped", message: `tick skipped: ${reason}` };
    };
    if (active) return skip(`the previous run ${active.id} is still ${active.status}`);
    if (!checked.ok) return skip(`the request is refused: ${checked.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
    const runId = await insertQueuedRun(tx, checked, { userId: s.createdById, trigger: "schedule", scheduleId: s.id });
    await tx.schedule.update({ where: { id: s.id }, data: { lastRunId: runId, lastRunAt: now } });
    await notifyRunQueued(tx); // delivered when the transaction commits
    return { scheduleId: s.id, outcome: "queued", runId, message: `queued run ${runId}` };
  });
}
