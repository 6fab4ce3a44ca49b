// Classification metrics, as scikit-learn computes them (zero_division=0).
import type { ClassScores, Metrics } from "./types";
import { softmaxRow } from "./static-model";
import { calibrationOf } from "./calibration-error";
import { probabilityRows, type ProbabilityRows } from "./probability-rows";

/** Row-wise softmax of a B × numLabels logits matrix: one row each, views of one buffer (a row costs a view, not a buffer of its own). */
export function softmax(logits: Float32Array, numLabels: number): Float32Array[] {
  const B = Math.floor(logits.length / numLabels);
  const all = new Float32Array(B * numLabels);
  const out: Float32Array[] = new Array(B);
  for (let b = 0; b < B; b++) {
    softmaxRow(logits, b * numLabels, numLabels, all, b * numLabels);
    out[b] = all.subarray(b * numLabels, (b + 1) * numLabels);
  }
  return out;
}

const div = (a: number, b: number) => (b === 0 ? 0 : a / b);

/**
 * Accuracy, per-class precision/recall/F1 (for every name in `labels`), their support-weighted
 * (`average="weighted"`) and unweighted (`average="macro"`) means — like sklearn without a
 * `labels` argument, the macro mean is over the classes that occur in y_true or in the predictions —,
 * the confusion matrix [true][pred], eval_loss = mean −log p(true class), with p clipped at 1e-12,
 * and the expected calibration error with its reliability bins (calibration-error.ts).
 */
export function computeMetrics(yTrue: ArrayLike<number>, rows: ProbabilityRows | readonly ArrayLike<number>[], labels: string[]): Metrics {
  const n = yTrue.length;
  const probs = probabilityRows(rows);
  if (probs.length !== n) throw new Error(`computeMetrics: ${n} labels but ${probs.length} predictions`);
  const C = labels.length;
  if (n > 0 && probs.numLabels !== C) throw new Error(`computeMetrics: rows of ${probs.numLabels} probabilities for ${C} labels`);
  const matrix: number[][] = Array.from({ length: C }, () => new Array<number>(C).fill(0));
  let correct = 0;
  let nll = 0;
  for (let i = 0; i < n; i++) {
    const y = yTrue[i];
    if (!(y >= 0 && y < C && Number.isInteger(y))) throw new Error(`computeMetrics: label index ${y} out of range`);
    const pred = probs.top(i);
    matrix[y][pred]++;
    if (pred === y) correct++;
    nll -= Math.log(Math.max(probs.at(i, y), 1e-12));
  }
  const per_class: Record<string, ClassScores> = {};
  let wP = 0, wR = 0, wF = 0, mP = 0, mR = 0, mF = 0, present = 0;
  for (let c = 0; c < C; c++) {
    const tp = matrix[c][c];
    let predicted = 0;
    let support = 0;
    for (let k = 0; k < C; k++) {
      predicted += matrix[k][c];
      support += matrix[c][k];
    }
    const precision = div(tp, predicted);
    const recall = div(tp, support);
    const f1 = div(2 * precision * recall, precision + recall);
    per_class[labels[c]] = { precision, recall, f1, support };
    wP += precision * support;
    wR += recall * support;
    wF += f1 * support;
    if (support + predicted > 0) {
      present++;
      mP += precision;
      mR += recall;
      mF += f1;
    }
  }
  return {
    accuracy: div(correct, n),
    precision: div(wP, n),
    recall: div(wR, n),
    f1: div(wF, n),
    macro_precision: div(mP, present),
    macro_recall: div(mR, present),
    macro_f1: div(mF, present),
    per_class,
    confusion_matrix: { labels: [...labels], matrix },
    eval_loss: div(nll, n),
    samples: n,
    ...calibrationOf(yTrue, probs),
  };
}
