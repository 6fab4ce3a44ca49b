import { CALIBRATION_SLICE } from "../training/calibration-slice";
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
