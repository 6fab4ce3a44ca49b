import type { PrismaClient } from "../db/generated/client";
import type { WebhookEvent } from "./schema";

// The outbox: an event writes one WebhookDelivery row per webhook that listens to it, in the
// caller's transaction (so a run's end and its notification commit together, or neither does).
// Workers claim due rows with FOR UPDATE SKIP LOCKED and a lease (lockedUntil), so each row is
// posted by one worker at a time; a worker that dies mid-post leaves the row to be retried once
// its lease runs out.

type Sql = Pick<PrismaClient, "$executeRaw" | "$queryRaw">;

/** Queues `event` for every webhook subscribed to it; returns how many deliveries were queued. */
export async function enqueueEvent(tx: Sql, event: WebhookEvent, data: Record<string, unknown>): Promise<number> {
  const body = JSON.stringify({ event, createdAt: new Date().toISOString(), data });
  return tx.$executeRaw`
    INSERT INTO "WebhookDelivery" (id, "webhookId", event, body)
    SELECT gen_random_uuid()::text, id, ${event}, ${body} FROM "Webhook" WHERE ${event} = ANY(events)`;
}

/** run.finished for a run that has just ended (succeeded, failed or cancelled). */
export async function enqueueRunFinished(tx: Sql, runId: string): Promise<number> {
  const rows = await tx.$queryRaw<
    { id: string; model: string; status: string; trigger: string; scheduleId: string | null; error: string | null; candidateVersionId: string | null; metricsOld: unknown; metricsNew: unknown; finishedAt: Date | null }[]
  >`
    SELECT r.id, m.name AS model, r.status::text AS status, r.trigger, r."scheduleId", r.error, r."candidateVersionId",
           r."metricsOld", r."metricsNew", r."finishedAt"
    FROM "TrainingRun" r JOIN "Model" m ON m.id = r."modelId" WHERE r.id = ${runId}`;
  const r = rows[0];
  if (!r) return 0;
  const accuracy = (m: unknown) => (m && typeof (m as { accuracy?: unknown }).accuracy === "number" ? (m as { accuracy: number }).accuracy : null);
  return enqueueEvent(tx, "run.finished", {
    runId: r.id,
    model: r.model,
    status: r.status,
    trigger: r.trigger,
    scheduleId: r.scheduleId,
    error: r.error,
    candidateVersionId: r.candidateVersionId,
    accuracyOld: accuracy(r.metricsOld),
    accuracyNew: accuracy(r.metricsNew),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  });
}

export interface ClaimedDelivery {
  id: string;
  event: string;
  body: string;
  attempts: number;
  url: string;
  secret: string;
}

/** Takes up to `limit` due deliveries for `leaseMs`, counting the attempt. */
export async function claimDueDeliveries(db: Sql, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  return db.$queryRaw<ClaimedDelivery[]>`
    UPDATE "WebhookDelivery" d
    SET attempts = d.attempts + 1, "lockedUntil" = now() + make_interval(secs => ${leaseMs / 1000})
    FROM "Webhook" w
    WHERE w.id = d."webhookId" AND d.id IN (
      SELECT id FROM "WebhookDelivery"
      WHERE status = 'pending' AND "nextAttemptAt" <= now() AND ("lockedUntil" IS NULL OR "lockedUntil" < now())
      ORDER BY "nextAttemptAt", id
      FOR UPDATE SKIP LOCKED LIMIT ${limit}
    )
    RETURNING d.id, d.event, d.body, d.attempts, w.url, w.secret`;
}

export interface AttemptResult {
  ok: boolean;
  httpStatus: number | null;
  error: string | null;
}

export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
}

/** The wait before attempt `attempts + 1`: baseMs · 2^(attempts − 1), at most maxMs. */
export function backoffMs(attempts: number, p: Pick<RetryPolicy, "baseMs" | "maxMs">): number {
  return Math.min(p.maxMs, p.baseMs * 2 ** Math.max(0, attempts - 1));
}

/**
 * Records how an attempt went: delivered, retried later, or failed for good after maxAttempts.
 * Only while the row is still at this attempt (a worker whose lease ran out writes nothing).
 */
export async function recordAttempt(db: Sql, d: Pick<ClaimedDelivery, "id" | "attempts">, r: AttemptResult, p: RetryPolicy): Promise<void> {
  if (r.ok) {
    await db.$executeRaw`
      UPDATE "WebhookDelivery" SET status = 'delivered', "deliveredAt" = now(), "lockedUntil" = NULL, "lastStatus" = ${r.httpStatus}, "lastError" = NULL
      WHERE id = ${d.id} AND attempts = ${d.attempts} AND status = 'pending'`;
    return;
  }
  const giveUp = d.attempts >= p.maxAttempts;
  const waitSecs = backoffMs(d.attempts, p) / 1000;
  await db.$executeRaw`
    UPDATE "WebhookDelivery"
    SET status = ${giveUp ? "failed" : "pending"}, "lockedUntil" = NULL, "lastStatus" = ${r.httpStatus}, "lastError" = ${r.error},
        "nextAttemptAt" = now() + make_interval(secs => ${waitSecs})
    WHERE id = ${d.id} AND attempts = ${d.attempts} AND status = 'pending'`;
}
