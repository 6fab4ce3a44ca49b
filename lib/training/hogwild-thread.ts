// One training thread of hogwild.ts: for each epoch it is told of, takes the next batch index from
// the shared counter until the epoch's batches are gone, runs the same step as the single-thread
// loop (static-step.ts) on the shared weights, and publishes the step's loss (`done` last, so the
// planning thread reads a finished step). Then it says so and waits for the next epoch.
import type { MessagePort } from "node:worker_threads";
import { StaticStepper, type StaticMoments } from "./static-step";
import type { AdamWConfig } from "./optimizer";
import type { FeatureLayout } from "./feature-pool";
import type { StaticParams } from "./types";
import type { KernelSetup } from "./wasm-kernels";

/** Indices into the shared control array. */
export const CTL_NEXT = 0;
export const CTL_STOP = 1;

export interface HogwildSetup {
  /** weights and moments in shared memory */
  params: StaticParams;
  moments: StaticMoments;
  cfg: AdamWConfig;
  smoothing: number;
  layout?: FeatureLayout;
  /** row i's ids are rows.ids[starts[i] … starts[i] + lengths[i]) */
  rows: { ids: Int32Array; starts: Float64Array; lengths: Int32Array };
  labels: Int32Array;
  batchSize: number;
  stepsPerEpoch: number;
  totalSteps: number;
  /** the current epoch's order of rows (written by the planning thread between epochs) */
  order: Int32Array;
  /** [next batch index of the epoch, stop flag] */
  ctl: Int32Array;
  /** per step (0-based): its learning rate (given), its loss and whether it is done (written here) */
  lrs: Float64Array;
  losses: Float64Array;
  done: Int32Array;
  /** the WebAssembly kernels (their memory holds params and moments), and this thread's index into their scratch */
  kernels?: KernelSetup;
  thread: number;
}

export function serveHogwild(port: MessagePort, s: HogwildSetup): void {
  const B = s.batchSize;
  const N = s.order.length;
  const stepper = new StaticStepper(s.params, s.moments, s.cfg, B, s.smoothing, s.layout, s.kernels && { setup: s.kernels, thread: s.thread });
  const { ids, starts, lengths } = s.rows;
  const batch: Int32Array[] = [];
  const batchY: number[] = [];
  port.on("message", (epoch: number) => {
    const base = epoch * s.stepsPerEpoch;
    for (;;) {
      if (Atomics.load(s.ctl, CTL_STOP) === 1) break;
      const k = Atomics.add(s.ctl, CTL_NEXT, 1);
      const step = base + k;
      if (k >= s.stepsPerEpoch || step >= s.totalSteps) break;
      batch.length = 0;
      batchY.length = 0;
      for (let i = k * B, end = Math.min(N, i + B); i < end; i++) {
        const r = s.order[i];
        batch.push(ids.subarray(starts[r], starts[r] + lengths[r]));
        batchY.push(s.labels[r]);
      }
      s.losses[step] = stepper.step(batch, batchY, s.lrs[step], step + 1);
      Atomics.store(s.done, step, 1);
    }
    port.postMessage(epoch);
  });
}
