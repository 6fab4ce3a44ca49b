// Expected calibration error and the reliability diagram's bins (Guo et al. 2017, "On Calibration of
// Modern Neural Networks"): each prediction falls into one of `bins` equal-width bins by its
// confidence (the top-class probability); per bin, accuracy is the share of its rows whose top class
// is the true one and confidence the mean top-class probability;
//   ECE = Σ_bins |accuracy(bin) − confidence(bin)| · count(bin) / n.
import type { Reliability, ReliabilityBin } from "./types";
import { probabilityRows, type ProbabilityRows } from "./probability-rows";

export const ECE_BINS = 15;

/** Bin of a confidence in [0, 1]: (lower, upper], with 0 in the first bin (as torchmetrics and Guo et al. do). */
export function binOf(confidence: number, bins: number): number {
  return Math.min(bins - 1, Math.max(0, Math.ceil(confidence * bins) - 1));
}

/**
 * The reliability bins and the ECE of predictions given as (top-class probability, whether the top
 * class was right). Empty bins are kept (count 0, accuracy and confidence 0) so that every diagram has
 * the same `bins` bars; they add nothing to the ECE.
 */
export function calibrationError(confidences: ArrayLike<number>, correct: ArrayLike<boolean | number>, bins = ECE_BINS): { ece: number; reliability: Reliability } {
  const n = confidences.length;
  if (correct.length !== n) throw new Error(`calibrationError: ${n} confidences but ${correct.length} outcomes`);
  const count = new Array<number>(bins).fill(0);
  const hits = new Array<number>(bins).fill(0);
  const conf = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) {
    const b = binOf(confidences[i], bins);
    count[b]++;
    conf[b] += confidences[i];
    if (correct[i]) hits[b]++;
  }
  let ece = 0;
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const accuracy = count[b] ? hits[b] / count[b] : 0;
    const confidence = count[b] ? conf[b] / count[b] : 0;
    if (count[b]) ece += (Math.abs(accuracy - confidence) * count[b]) / n;
    out.push({ lower: b / bins, upper: (b + 1) / bins, count: count[b], accuracy, confidence });
  }
  return { ece, reliability: { bins: out } };
}

/** calibrationError of probability rows against true class indices (top class: first maximum, like argmax). */
export function calibrationOf(yTrue: ArrayLike<number>, probs: ProbabilityRows | readonly ArrayLike<number>[], bins = ECE_BINS): { ece: number; reliability: Reliability } {
  const p = probabilityRows(probs);
  const confidences = new Float64Array(p.length);
  const correct = new Uint8Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const best = p.top(i);
    confidences[i] = p.at(i, best);
    correct[i] = best === yTrue[i] ? 1 : 0;
  }
  return calibrationError(confidences, correct, bins);
}
