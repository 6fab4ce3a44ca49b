import type { PrismaClient } from "../../db/generated/client";
import { env } from "../../env";
import { tickSchedules } from "../../schedules/ticker";
import { deliverDue } from "../../webhooks/deliver";

// Each worker's jobs beside its run loop, on their own timers so that they go on while it trains:
// the schedules' ticker (SCHEDULE_TICK_MS) and the webhook deliveries (WEBHOOK_POLL_MS). Every
// worker runs both; claiming in PostgreSQL makes each tick queue one run and each delivery go out
// from one worker at a time, however many workers there are.

export interface PeriodicJobs {
  stop(): Promise<void>;
}

function every(ms: number, job: () => Promise<void>): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return; // never two passes of one job at once in a process
    running = job().finally(() => (running = null));
  }, ms);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

export function startPeriodicJobs(db: PrismaClient, opts: { log: (line: string) => void }): PeriodicJobs {
  const e = env();
  let quietUntil = 0; // one log line per minute at most while the database is away
  const failed = (what: string) => (err: unknown) => {
    if (Date.now() < quietUntil) return;
    quietUntil = Date.now() + 60_000;
    opts.log(`${what} failed: ${(err as Error).message}`);
  };
  const ticker = every(e.SCHEDULE_TICK_MS, () =>
    tickSchedules(db)
      .then((outcomes) => {
        for (const o of outcomes) if (o.outcome !== "lost") opts.log(`schedule ${o.scheduleId}: ${o.message}`);
      })
      .catch(failed("the schedule ticker")),
  );
  const webhooks = every(e.WEBHOOK_POLL_MS, () =>
    deliverDue(db, { timeoutMs: e.WEBHOOK_TIMEOUT_MS, baseMs: e.WEBHOOK_RETRY_BASE_MS, maxMs: 3_600_000, maxAttempts: e.WEBHOOK_MAX_ATTEMPTS })
      .then(() => {})
      .catch(failed("webhook delivery")),
  );
  return {
    async stop() {
      await Promise.all([ticker.stop(), webhooks.stop()]);
    },
  };
}
