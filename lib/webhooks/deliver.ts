import type { PrismaClient } from "../db/generated/client";
import { claimDueDeliveries, recordAttempt, type AttemptResult, type ClaimedDelivery, type RetryPolicy } from "./outbox";
import { SIGNATURE_HEADER, signBody } from "./sign";

// One delivery pass of a worker: claim due deliveries, POST each (signed, with a timeout, no
// redirects followed), record the outcome. A 2xx answer is delivered; anything else is retried
// with exponential back-off until maxAttempts.

export interface DeliveryOptions extends RetryPolicy {
  timeoutMs: number;
  batch?: number;
}

/** POSTs one delivery's exact body bytes with its signature. */
export async function postDelivery(d: Pick<ClaimedDelivery, "id" | "event" | "body" | "url" | "secret">, timeoutMs: number): Promise<AttemptResult> {
  try {
    const res = await fetch(d.url, {
      method: "POST",
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        "content-type": "application/json",
        "user-agent": "finetune-dashboard-webhooks",
        [SIGNATURE_HEADER]: signBody(d.secret, d.body),
        "X-Webhook-Event": d.event,
        "X-Webhook-Delivery": d.id,
      },
      body: d.body,
    });
    const text = (await res.text().catch(() => "")).slice(0, 200);
    if (res.status >= 200 && res.status < 300) return { ok: true, httpStatus: res.status, error: null };
    return { ok: false, httpStatus: res.status, error: `HTTP ${res.status}${text ? `: ${text}` : ""}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { ok: false, httpStatus: null, error: why };
  }
}

/** Claims and posts the due deliveries (in parallel); returns how many were attempted. */
export async function deliverDue(db: PrismaClient, opts: DeliveryOptions): Promise<number> {
  const due = await claimDueDeliveries(db, opts.batch ?? 10, opts.timeoutMs + 30_000);
  await Promise.all(due.map(async (d) => recordAttempt(db, d, await postDelivery(d, opts.timeoutMs), opts)));
  return due.length;
}
