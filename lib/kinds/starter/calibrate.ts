import type { RunContext } from "../../runs/run-context";
import { SHORT_VIEW_TOKENS, withShortViews } from "../../training/calibration-slice";
import { forwardBatch } from "../../training/static-model";
import { trainStatic, type StarterTrainArgs } from "../../training/train-static";
import type { StaticParams } from "../../training/types";
import type { FeatureLayout } from "../../training/feature-pool";
import { fitCalibration, probeTemperature, type CalibrationStats } from "../calibrate";
import { calibrationSlice } from "../../training/calibration-slice";
import { env } from "../../env";

// The starter model's temperature (../calibrate.ts probeTemperature): the probe is trained by the same
// loop with the same initial weights and arguments (batch size included), evaluation off; T is fitted
// on the slice's rows whole and cut to their first tokens (calibration-slice.ts SHORT_VIEW_TOKENS).

export interface StarterProbeInput {
  /** the training rows' token ids and label indices, in training order */
  trainIds: Int32Array[];
  trainLabels: number[];
  labels: string[];
  init: StaticParams;
  /** where the tokens' sub-word and pair rows are */
  layout: FeatureLayout;
  args: StarterTrainArgs;
  /** threads the probe trains on (train-static.ts) */
  threads: number;
  /** train on a worker thread even on one (train-static.ts offThread), leaving this thread to the model */
  offThread?: boolean;
  /** ends the probe's training (default: the run's cancellation) */
  signal?: AbortSignal;
  seed: number;
  /** the probe's training progress, 0 … 1 */
  onProgress(fraction: number): void | Promise<void>;
}

/** The texts T is fitted on: each slice row whole and cut to its first tokens (calibration-slice.ts). */
const SHORT_VIEWS = {
  describe: `whole and cut to their first ${SHORT_VIEW_TOKENS} tokens`,
  make: (ids: Int32Array[], labels: number[]) => {
    const v = withShortViews(ids, labels);
    return { xs: v.ids, labels: v.labels };
  },
};

export function starterTemperature(ctx: RunContext, input: StarterProbeInput): Promise<CalibrationStats> {
  return probeTemperature(ctx.report, {
    xs: input.trainIds,
    labels: input.trainLabels,
    labelNames: input.labels,
    numLabels: input.labels.length,
    seed: input.seed,
    views: SHORT_VIEWS,
    trainProbe: async (ids, labels) => {
      const { params } = await trainStatic({
        trainIds: ids,
        trainLabels: labels,
        init: input.init,
        layout: input.layout,
        threads: input.threads,
        offThread: input.offThread,
        kernels: env().STARTER_KERNELS,
        args: { ...input.args, evaluationStrategy: "no" },
        hooks: { onStep: ({ step, totalSteps }) => input.onProgress(step / totalSteps), signal: input.signal ?? ctx.signal },
      });
      return (xs) => forwardBatch(params, xs, input.layout).logits;
    },
  });
}

/**
 * From this many training rows on, no probe is trained: the calibration slice (at most 2,000 rows,
 * so at most 4 % here) is held out of the model itself, and the temperature is fitted on that
 * model's logits for the slice. On the demo table (4,700 training rows) holding the slice out cost
 * 0.5–0.8 points, hence the probe there; on a big table the slice is a rounding error, and the probe
 * would double the training time (466 s of 932 s at 700,000 rows).
 */
export const HOLD_OUT_MIN_ROWS = 50_000;

/** Which training rows (by number) the model trains on and which it holds out to fit the temperature on, logged. */
export async function holdOutSlice(ctx: RunContext, input: { trainLabels: ArrayLike<number>; labels: string[]; seed: number }): Promise<{ fit: Int32Array; calibration: Int32Array }> {
  const slice = calibrationSlice(input.trainLabels, input.labels.length, input.seed);
  await ctx.report.log(`Calibration: ${input.trainLabels.length} training rows (≥ ${HOLD_OUT_MIN_ROWS}), so no probe: ${slice.calibration.length} held out of the model to fit the temperature on`);
  return slice;
}

/** The temperature of the trained model, fitted on the held-out rows (holdOutSlice's `calibration`: their ids and label indices). */
export function fitHeldOut(ctx: RunContext, params: StaticParams, held: { ids: Int32Array[]; labels: number[] }, input: { labels: string[]; layout: FeatureLayout }): Promise<CalibrationStats> {
  const v = SHORT_VIEWS.make(held.ids, held.labels);
  return fitCalibration(ctx.report, {
    numLabels: input.labels.length,
    sliceRows: held.ids.length,
    labels: v.labels,
    views: SHORT_VIEWS.describe,
    logits: () => forwardBatch(params, v.xs, input.layout).logits,
  });
}
