import { CALIBRATION_SLICE, calibrationSlice } from "../training/calibration-slice";
import { calibrateLogits, describeCalibration } from "../training/temperature";
import type { RunReporter } from "../runs/reporter";

// The calibration step shared by the kinds whose last layer is linear: fit the temperature on the
// held-out calibration slice's logits, log it, and give back the figures for the run's stats. The
// caller folds the temperature into its model's last layer (temperature.ts foldTemperature).

export interface CalibrationStats extends Record<string, number> {
  /** 1 when no slice was held out */
  calibrationTemperature: number;
  /** training rows held out to fit it */
  calibrationRows: number;
}

export interface CalibrationInput {
  numLabels: number;
  /** rows in the calibration slice (0: too few training rows, nothing is fitted) */
  sliceRows: number;
  /** the true label of each text the temperature is fitted on (the slice's rows, and any views of them) */
  labels: number[];
  /** how those texts were made from the slice's rows, for the log (e.g. "whole and cut to 64 tokens") */
  views?: string;
  /** the texts' logits (texts × labels, row-major) in the model's label order; called only when there is a slice */
  logits(): ArrayLike<number>;
}

/** The fitted temperature (1 with an empty slice, which is logged as a warning). */
export async function fitCalibration(report: Pick<RunReporter, "log">, input: CalibrationInput): Promise<CalibrationStats> {
  if (input.sliceRows === 0) {
    await report.log(
      `Calibration skipped: fewer than ${CALIBRATION_SLICE.minTrainRows} training rows, too few to hold out a calibration slice; the scores are the raw softmax (often over-confident)`,
      "warn",
    );
    return { calibrationTemperature: 1, calibrationRows: 0 };
  }
  const c = calibrateLogits(input.logits(), input.labels, input.numLabels);
  await report.log(describeCalibration({ ...c, rows: input.sliceRows }, input.views && `${input.views}: ${c.rows} texts`));
  return { calibrationTemperature: c.temperature, calibrationRows: input.sliceRows };
}

/**
 * A kind's temperature, fitted on a probe: `trainProbe` trains a model exactly as the real one is
 * trained (same initial weights and arguments) on the training rows less a stratified calibration
 * slice (calibration-slice.ts) and gives back its logits function; T is fitted on the probe's logits
 * for the slice's rows (or `views` of them) and then folded by the caller into the model trained on
 * every training row. That model is the one the trainer made before calibration existed, so
 * calibration costs no accuracy; it costs the probe's training time. (Holding the slice out of the real
 * starter model instead cost 0.5 to 0.8 points of accuracy on the demo table.)
 */
export async function probeTemperature<X>(
  report: Pick<RunReporter, "log">,
  input: {
    /** each training row's label index and input (token ids, features), in training order */
    labels: number[];
    xs: X[];
    /** the rows' label names, for stratifying */
    labelNames: string[];
    numLabels: number;
    seed: number;
    trainProbe(xs: X[], labels: number[]): Promise<(xs: X[]) => ArrayLike<number>>;
    /** the texts T is fitted on, made from the slice's rows (default: the rows as they are) */
    views?: { describe: string; make(xs: X[], labels: number[]): { xs: X[]; labels: number[] } };
  },
): Promise<CalibrationStats> {
  const { fit, calibration } = calibrationSlice(input.labels, input.numLabels, input.seed);
  const slice = { xs: Array.from(calibration, (i) => input.xs[i]), labels: Array.from(calibration, (i) => input.labels[i]) };
  const fitOn = input.views ? input.views.make(slice.xs, slice.labels) : slice;
  let logitsOf: ((xs: X[]) => ArrayLike<number>) | null = null;
  if (calibration.length > 0) {
    await report.log(`Calibration: training a probe on ${fit.length} training rows, holding out ${calibration.length} to fit the temperature on`);
    logitsOf = await input.trainProbe(Array.from(fit, (i) => input.xs[i]), Array.from(fit, (i) => input.labels[i]));
  }
  return fitCalibration(report, {
    numLabels: input.numLabels,
    sliceRows: calibration.length,
    labels: fitOn.labels,
    views: input.views?.describe,
    logits: () => logitsOf!(fitOn.xs),
  });
}
