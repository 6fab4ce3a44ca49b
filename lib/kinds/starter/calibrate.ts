import type { LabelledRow } from "../../runs/fetch-rows";
import type { RunContext } from "../../runs/run-context";
import { calibrationSlice, SHORT_VIEW_TOKENS, withShortViews } from "../../training/calibration-slice";
import { forwardBatch } from "../../training/static-model";
import { trainStatic, type StarterTrainArgs } from "../../training/train-static";
import type { StaticParams } from "../../training/types";
import { fitCalibration, type CalibrationStats } from "../calibrate";

// The starter model's temperature, fitted on a probe: a model trained exactly as the real one (same
// initial weights, arguments and batch size) on the training rows less a stratified calibration slice
// (calibration-slice.ts); T is fitted on the probe's logits for the slice's rows (whole and cut to their
// first tokens), then folded into the model trained on every training row. That model is the one the
// trainer made before calibration existed, so calibration costs no accuracy; it costs the probe's
// training time (about as long again). Holding the slice out of the real model instead cost 0.5 to 0.8
// points of accuracy on the demo table (fewer rows, and a different batch size by the row-count rule).

export interface ProbeInput {
  train: LabelledRow[];
  /** the training rows' token ids, in `train` order */
  trainIds: Int32Array[];
  labelIndex: Map<string, number>;
  init: StaticParams;
  args: StarterTrainArgs;
  seed: number;
  /** the probe's training progress, 0 … 1 */
  onProgress(fraction: number): void | Promise<void>;
}

export async function probeTemperature(ctx: RunContext, input: ProbeInput): Promise<CalibrationStats> {
  const { fit, calibration } = calibrationSlice(input.train.map((row, i) => ({ row, i })), (r) => r.row.label, input.seed);
  const label = (r: { row: LabelledRow }) => input.labelIndex.get(r.row.label)!;
  const views = withShortViews(calibration.map((r) => input.trainIds[r.i]), calibration.map(label));
  let probe: StaticParams | null = null;
  if (calibration.length > 0) {
    await ctx.report.log(`Calibration: training a probe model on ${fit.length} training rows, holding out ${calibration.length} to fit the temperature on`);
    const result = await trainStatic({
      trainIds: fit.map((r) => input.trainIds[r.i]),
      trainLabels: fit.map(label),
      init: input.init,
      args: { ...input.args, evaluationStrategy: "no" },
      hooks: { onStep: ({ step, totalSteps }) => input.onProgress(step / totalSteps), signal: ctx.signal },
    });
    probe = result.params;
  }
  return fitCalibration(ctx.report, {
    numLabels: input.init.numLabels,
    sliceRows: calibration.length,
    labels: views.labels,
    views: `whole and cut to their first ${SHORT_VIEW_TOKENS} tokens`,
    logits: () => forwardBatch(probe!, views.ids).logits,
  });
}
