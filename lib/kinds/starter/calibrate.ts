import type { RunContext } from "../../runs/run-context";
import { SHORT_VIEW_TOKENS, withShortViews } from "../../training/calibration-slice";
import { forwardBatch } from "../../training/static-model";
import { trainStatic, type StarterTrainArgs } from "../../training/train-static";
import type { StaticParams } from "../../training/types";
import type { FeatureLayout } from "../../training/feature-pool";
import { probeTemperature, type CalibrationStats } from "../calibrate";

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
  seed: number;
  /** the probe's training progress, 0 … 1 */
  onProgress(fraction: number): void | Promise<void>;
}

export function starterTemperature(ctx: RunContext, input: StarterProbeInput): Promise<CalibrationStats> {
  return probeTemperature(ctx.report, {
    xs: input.trainIds,
    labels: input.trainLabels,
    labelNames: input.labels,
    numLabels: input.labels.length,
    seed: input.seed,
    views: {
      describe: `whole and cut to their first ${SHORT_VIEW_TOKENS} tokens`,
      make: (ids, labels) => {
        const v = withShortViews(ids, labels);
        return { xs: v.ids, labels: v.labels };
      },
    },
    trainProbe: async (ids, labels) => {
      const { params } = await trainStatic({
        trainIds: ids,
        trainLabels: labels,
        init: input.init,
        layout: input.layout,
        args: { ...input.args, evaluationStrategy: "no" },
        hooks: { onStep: ({ step, totalSteps }) => input.onProgress(step / totalSteps), signal: ctx.signal },
      });
      return (xs) => forwardBatch(params, xs, input.layout).logits;
    },
  });
}
