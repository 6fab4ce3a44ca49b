// Which training rows the calibration probe does not train on: the temperature (temperature.ts) is
// fitted on the probe's scores for them (lib/kinds/calibrate.ts probeTemperature).
import { mulberry32, randInt, shuffleInPlace } from "./rng";

/**
 * About 10 % of the training rows (per-label rounding may move it by a row or two), stratified by label,
 * at least 50 and at most 2,000 (2,000 rows pin T down to a few percent; more would only weaken the
 * probe). Below 250 training rows no slice is held out: the probe would lose a fifth of a small table
 * and a temperature fitted on a few dozen rows is mostly noise, so such a model keeps T = 1 and the run
 * log says so.
 */
export const CALIBRATION_SLICE = { share: 0.1, minRows: 50, maxRows: 2000, minTrainRows: 250 } as const;

/** A table's training rows by number: the ones to train on (in order) and the calibration slice (in a seeded random order). */
export interface CalibrationSplit {
  fit: Int32Array;
  /** the rows to fit the temperature on; empty when there are too few training rows */
  calibration: Int32Array;
}

/**
 * Splits training rows (given by their label indices, 0 … numLabels − 1) into rows to train on and a
 * stratified calibration slice, seeded: the same labels and seed give the same slice. Each label's
 * share of the slice is drawn by a partial shuffle of that label's row numbers, so that a table of
 * millions of rows costs an Int32Array of row numbers, not a shuffle of all of them.
 */
export function calibrationSlice(labels: ArrayLike<number>, numLabels: number, seed: number): CalibrationSplit {
  const { share, minRows, maxRows, minTrainRows } = CALIBRATION_SLICE;
  const n = labels.length;
  if (n < minTrainRows) return { fit: Int32Array.from({ length: n }, (_, i) => i), calibration: new Int32Array(0) };
  const size = Math.min(maxRows, Math.max(minRows, Math.round(n * share)));
  // the row numbers grouped by label (a counting sort)
  const starts = new Int32Array(numLabels + 1);
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    if (!(l >= 0 && l < numLabels && Number.isInteger(l))) throw new Error(`calibrationSlice: row ${i} has label index ${l}, not 0 … ${numLabels - 1}`);
    starts[l + 1]++;
  }
  for (let l = 0; l < numLabels; l++) starts[l + 1] += starts[l];
  const byLabel = new Int32Array(n);
  const next = starts.slice(0, numLabels);
  for (let i = 0; i < n; i++) byLabel[next[labels[i]]++] = i;
  // A different stream from the run's train/test split, which used `seed` itself.
  const rng = mulberry32(seed ^ 0x5eed_ca1b);
  const held: number[] = [];
  for (let l = 0; l < numLabels; l++) {
    const from = starts[l];
    const count = starts[l + 1] - from;
    // each label keeps its share of the training rows (at least one row of a label of two or more)
    const train = count >= 2 ? Math.min(count - 1, Math.max(1, Math.round(count * (1 - size / n)))) : count;
    for (let k = 0; k < count - train; k++) {
      const j = from + k + randInt(rng, count - k);
      const picked = byLabel[j];
      byLabel[j] = byLabel[from + k];
      byLabel[from + k] = picked;
      held.push(picked);
    }
  }
  const calibration = shuffleInPlace(Int32Array.from(held), rng) as Int32Array;
  const isHeld = new Uint8Array(n);
  for (const i of calibration) isHeld[i] = 1;
  const fit = new Int32Array(n - calibration.length);
  for (let i = 0, m = 0; i < n; i++) if (!isHeld[i]) fit[m++] = i;
  return { fit, calibration };
}

/**
 * Tokens kept by a short view: a model is asked about short messages as well as whole e-mails, and a
 * mean-pooled model is surest of itself on short texts (fewer tokens average out less). So the
 * temperature is fitted on each slice row whole and also cut to its first 64 tokens. Measured on the
 * demo table (seed 42, a model trained on the other 90 % of the training rows with batch size 32):
 * whole rows only fit T ≈ 0.8 (sharper) and left "ok" at 0.9998; with the 64-token views T ≈ 1.4, "ok"
 * 0.994 and the test rows' ECE stayed ≈ 0.01; 16- and 8-token views pushed the test rows' ECE past 0.03.
 */
export const SHORT_VIEW_TOKENS = 64;

/** The calibration rows' token ids, each whole and (when longer) cut to its first SHORT_VIEW_TOKENS tokens, with their labels. */
export function withShortViews(ids: Int32Array[], labels: number[]): { ids: Int32Array[]; labels: number[] } {
  const outIds = [...ids];
  const outLabels = [...labels];
  ids.forEach((x, i) => {
    if (x.length <= SHORT_VIEW_TOKENS) return;
    outIds.push(x.subarray(0, SHORT_VIEW_TOKENS));
    outLabels.push(labels[i]);
  });
  return { ids: outIds, labels: outLabels };
}
