// One training thread of hogwild.ts: for each piece of the training rows it is sent, takes the next
// batch index from the shared counter until the piece's batches are gone, runs the same step as the
// single-thread loop (static-step.ts) on the shared weights, and publishes the step's loss (`done`
// last, so the planning thread reads a finished step). Then it says so and waits for the next piece.
import type { MessagePort } from "node:worker_threads";
import { StaticStepper, type StaticMoments } from "./static-step";
import type { AdamWConfig } from "./optimizer";
import type { FeatureLayout } from "./feature-pool";
import type { StaticParams } from "./types";
import type { KernelSetup } from "./wasm-kernels";
import type { TokenPiece } from "./train-pieces";

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
  batchSize: number;
  /** [next batch index of the piece, stop flag] */
  ctl: Int32Array;
  /** per step (0-based): its learning rate (given), its loss and whether it is done (written here) */
  lrs: Float64Array;
  losses: Float64Array;
  done: Int32Array;
  /** the WebAssembly kernels (their memory holds params and moments), and this thread's index into their scratch */
  kernels?: KernelSetup;
  thread: number;
}

/** A piece of the training rows to train on (all in shared memory): its batches are steps base … base + steps - 1, in `order`. */
export interface HogwildPiece {
  base: number;
  steps: number;
  rows: TokenPiece;
  order: Int32Array;
}

export function serveHogwild(port: MessagePort, s: HogwildSetup): void {
  const B = s.batchSize;
  const stepper = new StaticStepper(s.params, s.moments, s.cfg, B, s.smoothing, s.layout, s.kernels && { setup: s.kernels, thread: s.thread });
  const batch: Int32Array[] = [];
  const batchY: number[] = [];
  port.on("message", (piece: HogwildPiece) => {
    const { ids, starts, lengths, labels } = piece.rows;
    const { order } = piece;
    const N = order.length;
    for (;;) {
      if (Atomics.load(s.ctl, CTL_STOP) === 1) break;
      const k = Atomics.add(s.ctl, CTL_NEXT, 1);
      if (k >= piece.steps) break;
      const step = piece.base + k;
      batch.length = 0;
      batchY.length = 0;
      for (let i = k * B, end = Math.min(N, i + B); i < end; i++) {
        const r = order[i];
        batch.push(ids.subarray(starts[r], starts[r] + lengths[r]));
        batchY.push(labels[r]);
      }
      s.losses[step] = stepper.step(batch, batchY, s.lrs[step], step + 1);
      Atomics.store(s.done, step, 1);
    }
    port.postMessage(0);
  });
}
