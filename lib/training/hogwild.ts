// The starter model's training loop on several threads, as fastText trains: every thread takes the
// next batch of the epoch's order and updates one set of weights and Adam moments in shared memory
// without locks ("Hogwild!", Niu et al. 2011). Two threads rarely touch the same embedding row in
// the same instant, and when they do, one update of a few is partly lost; the dense head is small
// and every step rewrites it anyway. The result differs a little from run to run; the
// single-thread loop (train-static.ts serialLoop) is the deterministic mode.
//
// This thread plans and reports: it reads each piece of the training rows (train-pieces.ts: all of
// them in memory, or one spilled bucket at a time) and draws its order (the same draws as the
// single-thread loop), precomputes every step's learning rate, then reports the steps in order as
// the threads finish them (loss curve, logging, evaluation on the live weights, cancellation), and
// waits for every thread at each piece's end (the next piece replaces it; the epoch evaluation sees a
// finished epoch).
import { Worker } from "node:worker_threads";
import { permutation } from "./rng";
import { sharedArray } from "./typed-arrays";
import type { LoopPlan } from "./static-step";
import { pieceOrder } from "./train-pieces";
import { CTL_NEXT, CTL_STOP, type HogwildPiece, type HogwildSetup } from "./hogwild-thread";

const POLL_MS = 5;

/** Runs plan's totalSteps on `threads` worker threads; the plan's params and moments must be in shared memory. Returns the step count. */
export async function hogwildLoop(plan: LoopPlan, threads: number): Promise<number> {
  const { params, moments, totalSteps, pieces, batchSize: B } = plan;
  if (!(params.embedding.buffer instanceof SharedArrayBuffer)) throw new Error("hogwildLoop: the weights must be in shared memory");
  const lrs = sharedArray(Float64Array, totalSteps);
  for (let s = 0; s < totalSteps; s++) lrs[s] = plan.schedule(s);
  const setup: HogwildSetup = {
    params,
    moments,
    cfg: plan.cfg,
    smoothing: plan.smoothing,
    layout: plan.layout,
    batchSize: B,
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
    // one order buffer for every piece (as big as the biggest): a new shared buffer per piece would be garbage the collector frees late
    let most = 0;
    for (let k = 0; k < pieces.count; k++) most = Math.max(most, pieces.rowsIn(k));
    const orders = sharedArray(Int32Array, most);
    let step = 0;
    while (step < totalSteps && !plan.stopped(step)) {
      for (const k of Array.from(pieceOrder(pieces, plan.rng))) {
        if (step >= totalSteps || plan.stopped(step)) break;
        const rows = pieces.read(k);
        const n = rows.lengths.length;
        const order = orders.subarray(0, n);
        order.set(permutation(n, plan.rng));
        const piece: HogwildPiece = { base: step, steps: Math.min(Math.ceil(n / B), totalSteps - step), rows, order };
        Atomics.store(setup.ctl, CTL_NEXT, 0);
        finished = 0;
        for (const w of workers) w.postMessage(piece);
        const end = piece.base + piece.steps;
        while (step < end || finished < workers.length) {
          if (failure) throw failure;
          if (step < end && Atomics.load(setup.done, step) === 1) {
            step++;
            await plan.afterStep(step, setup.losses[step - 1], lrs[step - 1]);
          } else await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
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
