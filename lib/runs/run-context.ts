import type { PrismaClient } from "../db/generated/client";
import type { Phase, PhasePlan } from "./phase-plan";
import type { RunReporter } from "./reporter";

// What every step of a run gets: the database, the run's id, the worker that holds it, its
// reporter, the run's AbortSignal (fired on a cancel request, when the worker stops, or when
// the run is no longer this worker's), and its stop signal ("Stop and keep the best so far").
// Also its phase plan: the phases this run goes through and where each sits on the progress bar.

/** A failure the user can act on: its message is shown as the run's error, as is. */
export class RunFailure extends Error {}

export interface RunContext {
  db: PrismaClient;
  runId: string;
  /** The worker holding the run: the run's results are saved only while it still does. */
  workerId: string;
  /** RUN_STALE_SECONDS: how long the run's row may stay locked by a save that makes no progress. */
  staleSeconds: number;
  report: RunReporter;
  signal: AbortSignal;
  /** fired when the user asks to stop training and keep the best so far (the trainers' hooks.stop) */
  stop?: AbortSignal;
  /** the run's phases; `plan.at(phase, fraction)` is the overall progress */
  plan: PhasePlan;
}

export { type Phase, type PhasePlan } from "./phase-plan";

/** Progress of a loop over `total` items: fraction, rate and ETA, written through the reporter. */
export function progressOf(ctx: RunContext, phase: Phase, total: number, unitsPerStep = 1) {
  const started = Date.now();
  return (done: number) => {
    const rate = done / Math.max((Date.now() - started) / 1000, 1e-3);
    return ctx.report.progress({
      progress: ctx.plan.at(phase, done / Math.max(total, 1)),
      step: done,
      totalSteps: total,
      rowsPerSecond: rate * unitsPerStep,
      etaSeconds: (total - done) / Math.max(rate, 1e-9),
    });
  };
}

export const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
