import type { createStepLog } from "./step-log";

// Best-model tracking and early stopping for every trainer (the starter's loops, the encoder head's),
// with the semantics of transformers' Trainer and EarlyStoppingCallback:
// - metric_for_best_model "eval_loss" (lower is better) or "accuracy" (higher); greater_is_better
//   overrides the direction;
// - early_stopping_patience: stop once that many evaluations in a row did not improve the best by
//   more than early_stopping_threshold;
// - load_best_model_at_end (default: on when early stopping is): the weights of the best evaluation
//   are kept (a copy is made at each new best) and restored at the end.
// Early stopping evaluates every epoch unless the request chose another evaluation strategy.
// A stop asked for by the user ("Stop and keep the best so far") ends training the same way: the
// last weights are evaluated too, and the best are kept. So that the best can be kept then, a
// training that evaluates always keeps a copy of its best weights (one copy of the model); they
// replace the last ones at the end only on that stop, with load_best_model_at_end, or with early
// stopping.

export interface BestModelArgs {
  loadBestModelAtEnd: boolean;
  metricForBestModel: "eval_loss" | "accuracy";
  greaterIsBetter: boolean;
  /** null: no early stopping */
  earlyStoppingPatience: number | null;
  earlyStoppingThreshold: number;
}

/** The request's names for them (checked by the request schema). */
export interface BestModelRequest {
  load_best_model_at_end?: boolean | null;
  metric_for_best_model?: string | null;
  greater_is_better?: boolean | null;
  early_stopping_patience?: number;
  early_stopping_threshold?: number;
  eval_strategy?: "no" | "steps" | "epoch";
  evaluation_strategy?: "no" | "steps" | "epoch";
}

export function resolveBestModelArgs(a: BestModelRequest): BestModelArgs {
  const patience = a.early_stopping_patience ? a.early_stopping_patience : null;
  const metricForBestModel = a.metric_for_best_model?.replace(/^eval_/, "") === "accuracy" ? "accuracy" : "eval_loss";
  return {
    loadBestModelAtEnd: a.load_best_model_at_end ?? patience !== null,
    metricForBestModel,
    greaterIsBetter: a.greater_is_better ?? metricForBestModel === "accuracy",
    earlyStoppingPatience: patience,
    earlyStoppingThreshold: a.early_stopping_threshold ?? 0,
  };
}

/** Early stopping needs evaluations: "epoch" when the request names no strategy. */
export function withEarlyStoppingStrategy<T extends BestModelRequest>(a: T): T {
  const strategyGiven = a.eval_strategy !== undefined || a.evaluation_strategy !== undefined;
  return a.early_stopping_patience && !strategyGiven ? { ...a, evaluation_strategy: "epoch" } : a;
}

/** How a trainer's weights are copied: a snapshot, the live weights into a snapshot, and back. */
export interface WeightCopies<W> {
  snapshot(): W;
  saveInto(dst: W): void;
  restoreFrom(src: W): void;
}

export interface BestOutcome {
  bestStep: number | null;
  bestMetric: number | null;
  stoppedEarly: boolean;
  restoredBest: boolean;
}

type StepLog = ReturnType<typeof createStepLog>;

/**
 * The evaluator a training loop calls at each evaluation point (`evaluate`), whose `stop` says when
 * early stopping ends training, and `finish` at the end (the last weights compete too; the best
 * are restored).
 */
export function createBestTracker<W>(
  args: BestModelArgs & { evaluationStrategy: "no" | "steps" | "epoch" },
  o: { canEval: boolean; score(): { loss: number; accuracy: number }; weights: WeightCopies<W>; steps: StepLog; what: string },
) {
  const tracking = o.canEval && args.evaluationStrategy !== "no";
  const restoreAtEnd = args.loadBestModelAtEnd || args.earlyStoppingPatience !== null;
  const best = tracking ? o.weights.snapshot() : null;
  const better = (m: number, ref: number, threshold: number) => (args.greaterIsBetter ? m > ref + threshold : m < ref - threshold);
  const t = {
    bestMetric: null as number | null,
    bestStep: null as number | null,
    badEvals: 0,
    stop: false,
    lastEvalStep: -1,
    async evaluate(step: number): Promise<void> {
      if (!o.canEval) return;
      t.lastEvalStep = step;
      const { loss, accuracy } = o.score();
      await o.steps.evalPoint(step, loss, ` eval_accuracy ${accuracy.toFixed(4)}`);
      const m = args.metricForBestModel === "accuracy" ? accuracy : loss;
      if (t.bestMetric === null || better(m, t.bestMetric, 0)) {
        const improved = t.bestMetric === null || better(m, t.bestMetric, args.earlyStoppingThreshold);
        t.bestMetric = m;
        t.bestStep = step;
        if (best) o.weights.saveInto(best);
        t.badEvals = improved ? 0 : t.badEvals + 1;
      } else {
        t.badEvals++;
      }
      if (args.earlyStoppingPatience !== null && t.badEvals >= args.earlyStoppingPatience) {
        t.stop = true;
        await o.steps.log(`early stopping at step ${step}: ${args.metricForBestModel} has not improved for ${t.badEvals} evaluations (best ${t.bestMetric!.toFixed(4)} at step ${t.bestStep})`);
      }
    },
    /** At the end of training (`stopRequested`: the user stopped it): evaluates the last weights if due, restores the best. */
    async finish(step: number, stopRequested: boolean): Promise<BestOutcome> {
      if (stopRequested) {
        await o.steps.log(`stopped on request at step ${step} (epoch ${o.steps.epochAt(step).toFixed(2)})${best ? "; keeping the best evaluation's weights" : ": no evaluations to choose from, keeping the last weights"}`);
      }
      const restore = best !== null && (restoreAtEnd || stopRequested);
      // The last weights compete for "best" too, when training ended between evaluations.
      if (restore && t.lastEvalStep !== step && !t.stop) await t.evaluate(step);
      let restoredBest = false;
      if (restore && t.bestStep !== null && t.bestStep !== step) {
        o.weights.restoreFrom(best);
        restoredBest = true;
        await o.steps.log(`restored the best ${o.what} (step ${t.bestStep}, ${args.metricForBestModel} ${t.bestMetric!.toFixed(4)})`);
      }
      return { bestStep: restore ? t.bestStep : null, bestMetric: restore ? t.bestMetric : null, stoppedEarly: t.stop, restoredBest };
    },
  };
  return t;
}
