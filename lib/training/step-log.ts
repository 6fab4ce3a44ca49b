import { throwIfCancelled } from "../errors";
import type { LossPoint } from "./types";

// The bookkeeping every training loop shares: the loss curve, a mean training loss per
// `loggingSteps`, evaluation points, log lines, and yielding to the event loop (about every
// 50 ms of work) so heartbeats run and cancellation is noticed.

export interface TrainHooks {
  /** After every optimiser step. */
  onStep?(p: { step: number; totalSteps: number; epoch: number; loss: number }): void | Promise<void>;
  onLog?(message: string): void | Promise<void>;
  onLossPoint?(p: LossPoint): void | Promise<void>;
  /** Checked when the loop yields to the event loop (about every 50 ms of work) and at epoch ends. */
  signal?: AbortSignal;
  /**
   * "Stop and keep the best so far": training ends at the next step (one thread) or at the end of
   * the epoch (the starter's threads), but not before its first epoch is done, and the run goes on
   * with the best weights (best-model.ts).
   */
  stop?: AbortSignal;
}

/** Whether the user asked training to stop (and keep the best so far). */
export const stopRequested = (hooks: TrainHooks) => hooks.stop?.aborted === true;

const YIELD_EVERY_MS = 50;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createStepLog(hooks: TrainHooks, o: { totalSteps: number; stepsPerEpoch: number; loggingSteps: number }) {
  const lossCurve: LossPoint[] = [];
  let lossSum = 0;
  let lossCount = 0;
  let lastLr: number | undefined;
  let lastYield = performance.now();
  const epochAt = (step: number) => step / o.stepsPerEpoch;
  const emitPoint = async (p: LossPoint) => {
    lossCurve.push(p);
    await hooks.onLossPoint?.(p);
  };
  const log = async (m: string) => {
    await hooks.onLog?.(m);
  };
  const checkCancelled = async () => {
    throwIfCancelled(hooks.signal);
  };
  const trainPoint = async (step: number, suffix = "") => {
    const mean = lossSum / lossCount;
    lossSum = lossCount = 0;
    await emitPoint({ step, epoch: epochAt(step), loss: mean, ...(lastLr !== undefined ? { lr: lastLr } : {}) });
    await log(`step ${step}/${o.totalSteps} epoch ${epochAt(step).toFixed(2)} loss ${mean.toFixed(4)}${suffix}`);
  };
  return {
    lossCurve,
    epochAt,
    log,
    checkCancelled,
    /** The user's stop applies from the end of the first epoch on. */
    stopDue: (step: number) => stopRequested(hooks) && step >= o.stepsPerEpoch,
    /** Records an evaluation: a curve point and a log line (with any extra figures). */
    async evalPoint(step: number, evalLoss: number, extra = "") {
      await emitPoint({ step, epoch: epochAt(step), evalLoss });
      await log(`eval step ${step}/${o.totalSteps} epoch ${epochAt(step).toFixed(2)} eval_loss ${evalLoss.toFixed(4)}${extra}`);
    },
    /** After each optimiser step: progress hook, a logging point every loggingSteps, and a yield when due. */
    async afterStep(step: number, loss: number, lr: number) {
      lossSum += loss;
      lossCount++;
      lastLr = lr;
      await hooks.onStep?.({ step, totalSteps: o.totalSteps, epoch: epochAt(step), loss });
      if (step % o.loggingSteps === 0) await trainPoint(step, ` lr ${lr.toExponential(2)}`);
      if (performance.now() - lastYield >= YIELD_EVERY_MS) {
        await yieldToEventLoop();
        await checkCancelled();
        lastYield = performance.now();
      }
    },
    /** The mean loss of the steps since the last logging point, if any. */
    async flush(step: number) {
      if (lossCount > 0) await trainPoint(step);
    },
  };
}
