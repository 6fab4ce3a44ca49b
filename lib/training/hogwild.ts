// The starter model's training loop on several threads, as fastText trains: every thread takes the
// next batch of the epoch's order and updates one set of weights and Adam moments in shared memory
// without locks ("Hogwild!", Niu et al. 2011). Two threads rarely touch the same embedding row in
// the same instant, and when they do, one update of a few is partly lost; the dense head is small
// and every step rewrites it anyway. The result differs a little from run to run; the
// single-thread loop (train-static.ts serialLoop) is the deterministic mode.
//
// This thread plans and reports: it draws each epoch's order (the same draws as the single-thread
// loop), precomputes every step's learning rate, then reports the steps in order as the threads
// finish them (loss curve, logging, evaluation on the live weights, cancellation), and waits for
// every thread at each epoch's end (the epoch evaluation sees a finished epoch).
import { Worker } from "node:worker_threads";
import { permutation } from "./rng";
import { sharedTokenViews } from "./token-rows";
import { sharedArray } from "./typed-arrays";
import type { LoopPlan } from "./static-step";
import { CTL_NEXT, CTL_STOP, type HogwildSetup } from "./hogwild-thread";

const POLL_MS = 5;

/** The training rows as one shared buffer of ids with each row's start and length: in place when they already are views of one (token-rows.ts), else packed. */
export function sharedRows(rows: Int32Array[]): { ids: Int32Array; starts: Float64Array; lengths: Int32Array } {
  const views = sharedTokenViews(rows);
  if (views) return { ids: new Int32Array(views.buffer), starts: views.starts, lengths: views.lengths };
  const n = rows.length;
  const starts = new Float64Array(n);
  const lengths = new Int32Array(n);
  let total = 0;
  for (const r of rows) total += r.length;
  const ids = sharedArray(Int32Array, total);
  for (let i = 0, at = 0; i < n; i++) {
    ids.set(rows[i], at);
    starts[i] = at;
    lengths[i] = rows[i].length;
    at += rows[i].length;
  }
  return { ids, starts, lengths };
}

function sharedInt32(values: ArrayLike<number>): Int32Array {
  const a = sharedArray(Int32Array, values.length);
  for (let i = 0; i < values.length; i++) a[i] = values[i];
  return a;
}

/** Runs plan's totalSteps on `threads` worker threads; the plan's params and moments must be in shared memory. Returns the step count. */
export async function hogwildLoop(plan: LoopPlan, threads: number): Promise<number> {
  const { params, moments, totalSteps, stepsPerEpoch } = plan;
  if (!(params.embedding.buffer instanceof SharedArrayBuffer)) throw new Error("hogwildLoop: the weights must be in shared memory");
  const N = plan.trainIds.length;
  const lrs = sharedArray(Float64Array, totalSteps);
  for (let s = 0; s < totalSteps; s++) lrs[s] = plan.schedule(s);
  const setup: HogwildSetup = {
    params,
    moments,
    cfg: plan.cfg,
    smoothing: plan.smoothing,
    layout: plan.layout,
    rows: sharedRows(plan.trainIds),
    labels: sharedInt32(plan.trainLabels),
    batchSize: plan.batchSize,
    stepsPerEpoch,
    totalSteps,
    order: sharedArray(Int32Array, N),
    ctl: sharedArray(Int32Array, 2),
    lrs,
    losses: sharedArray(Float64Array, totalSteps),
    done: sharedArray(Int32Array, totalSteps),
    kernels: plan.kernels,
    thread: 0,
  };
  let failure: Error | null = null;
  let finished = 0;
  const workers: Worker[] = [];
  try {
    for (let t = 0; t < threads; t++) {
      const w = new Worker(new URL("./hogwild-worker.mjs", import.meta.url), { workerData: { ...setup, thread: t } });
      w.on("message", () => finished++);
      w.on("error", (err) => (failure ??= err instanceof Error ? err : new Error(String(err))));
      w.on("exit", (code) => (failure ??= new Error(`a training thread exited (code ${code})`)));
      workers.push(w);
    }
    let step = 0;
    for (let epoch = 0; step < totalSteps && !plan.stopped(step); epoch++) {
      setup.order.set(permutation(N, plan.rng));
      Atomics.store(setup.ctl, CTL_NEXT, 0);
      finished = 0;
      for (const w of workers) w.postMessage(epoch);
      const end = Math.min(totalSteps, (epoch + 1) * stepsPerEpoch);
      while (step < end || finished < workers.length) {
        if (failure) throw failure;
        if (step < end && Atomics.load(setup.done, step) === 1) {
          step++;
          await plan.afterStep(step, setup.losses[step - 1], lrs[step - 1]);
        } else await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      await plan.afterEpoch(step);
    }
    return step;
  } finally {
    Atomics.store(setup.ctl, CTL_STOP, 1);
    for (const w of workers) w.removeAllListeners("exit");
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
