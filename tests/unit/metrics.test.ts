import { test } from "node:test";
import assert from "node:assert/strict";
import { computeMetrics, softmax } from "../../lib/training/metrics";

// Eight rows, three classes; class c is never predicted.
//   true: a a a b b c c c
//   pred: a a b b a a b b
// confusion [true][pred]:       a  b  c
//                          a [  2, 1, 0 ]
//                          b [  1, 1, 0 ]
//                          c [  1, 2, 0 ]
// accuracy = (2 + 1 + 0) / 8 = 0.375
// a: tp 2, predicted 4, support 3 → P 1/2, R 2/3, F1 = 2·(1/2)(2/3)/(1/2+2/3) = 4/7
// b: tp 1, predicted 4, support 2 → P 1/4, R 1/2, F1 = 2·(1/4)(1/2)/(3/4) = 1/3
// c: tp 0, predicted 0, support 3 → P 0 (zero division → 0), R 0, F1 0
// weighted: P = (1/2·3 + 1/4·2 + 0·3)/8 = 2/8 = 0.25
//           R = (2/3·3 + 1/2·2 + 0)/8 = 3/8 = 0.375
//           F1 = (4/7·3 + 1/3·2 + 0)/8 = (12/7 + 2/3)/8 = 50/168 = 25/84
// macro:    P = (1/2 + 1/4 + 0)/3 = 1/4, R = (2/3 + 1/2 + 0)/3 = 7/18, F1 = (4/7 + 1/3 + 0)/3 = 19/63
// probabilities: the predicted class gets 0.6, the others 0.2, so p(true) = 0.6 on the 3 correct
// rows and 0.2 on the 5 wrong ones: eval_loss = (3·(−ln 0.6) + 5·(−ln 0.2))/8
const yTrue = [0, 0, 0, 1, 1, 2, 2, 2];
const pred = [0, 0, 1, 1, 0, 0, 1, 1];
const probs = pred.map((k) => [0, 1, 2].map((c) => (c === k ? 0.6 : 0.2)));

const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} ≠ ${b}`);

test("hand-computed 3-class example with a class never predicted", () => {
  const m = computeMetrics(yTrue, probs, ["a", "b", "c"]);
  assert.equal(m.samples, 8);
  near(m.accuracy, 0.375, "accuracy");
  near(m.precision, 0.25, "weighted precision");
  near(m.recall, 0.375, "weighted recall");
  near(m.f1, 25 / 84, "weighted f1");
  near(m.macro_precision, 0.25, "macro precision");
  near(m.macro_recall, 7 / 18, "macro recall");
  near(m.macro_f1, 19 / 63, "macro f1");
  near(m.per_class.a.f1, 4 / 7, "f1 a");
  near(m.per_class.b.precision, 0.25, "precision b");
  assert.deepEqual(m.per_class.c, { precision: 0, recall: 0, f1: 0, support: 3 });
  assert.deepEqual(m.confusion_matrix, { labels: ["a", "b", "c"], matrix: [[2, 1, 0], [1, 1, 0], [1, 2, 0]] });
  near(m.eval_loss, (3 * -Math.log(0.6) + 5 * -Math.log(0.2)) / 8, "eval_loss");
});

test("a label absent from truth and predictions is listed but left out of macro means (sklearn default)", () => {
  const m = computeMetrics(yTrue, probs.map((p) => [...p, 0]), ["a", "b", "c", "d"]);
  assert.deepEqual(m.per_class.d, { precision: 0, recall: 0, f1: 0, support: 0 });
  near(m.macro_f1, 19 / 63, "macro f1");
  near(m.f1, 25 / 84, "weighted f1");
});

test("eval_loss clips p(true) at 1e-12", () => {
  const m = computeMetrics([1], [[1, 0]], ["x", "y"]);
  near(m.eval_loss, -Math.log(1e-12), "clipped loss");
  assert.equal(m.accuracy, 0);
});

test("softmax rows sum to one and keep order", () => {
  const [p, q] = softmax(new Float32Array([0, Math.log(3), 1000, 1000]), 2);
  near(p[0], 0.25, "p0");
  near(p[1], 0.75, "p1");
  assert.deepEqual([...q], [0.5, 0.5]);
});

// --- expected calibration error (15 equal-width bins over the top-class probability) ---------------

test("ECE: a perfectly calibrated model scores 0", () => {
  // 10 rows at confidence 0.8 (in bin (0.8, 0.8667]? no: 0.8 is the upper edge of bin 11, (0.7333, 0.8]), 8 right;
  // 5 rows at 0.6 (bin 8, (0.5333, 0.6]), 3 right: each bin's accuracy equals its confidence.
  const y: number[] = [];
  const p: number[][] = [];
  for (let i = 0; i < 10; i++) {
    y.push(i < 8 ? 0 : 1);
    p.push([0.8, 0.2]);
  }
  for (let i = 0; i < 5; i++) {
    y.push(i < 3 ? 1 : 0);
    p.push([0.4, 0.6]);
  }
  const m = computeMetrics(y, p, ["a", "b"]);
  near(m.ece!, 0, "ece");
  const bins = m.reliability!.bins;
  assert.equal(bins.length, 15);
  assert.equal(bins.reduce((s, b) => s + b.count, 0), 15);
  near(bins[11].confidence, 0.8, "bin 11 confidence");
  near(bins[11].accuracy, 0.8, "bin 11 accuracy");
  assert.equal(bins[11].count, 10);
  assert.equal(bins[8].count, 5);
  near(bins[8].accuracy, 0.6, "bin 8 accuracy");
  near(bins[0].lower, 0, "first bin lower");
  near(bins[14].upper, 1, "last bin upper");
  assert.deepEqual({ ...bins[3], lower: 0, upper: 0 }, { lower: 0, upper: 0, count: 0, accuracy: 0, confidence: 0 }, "empty bins are kept with count 0");
});

test("ECE: an over-confident model (99 % sure, right half the time) scores |0.5 − 0.99|", () => {
  const y = [0, 1, 0, 1];
  const p = [[0.99, 0.01], [0.99, 0.01], [0.01, 0.99], [0.01, 0.99]];
  const m = computeMetrics(y, p, ["a", "b"]);
  near(m.ece!, 0.49, "ece");
  assert.equal(m.reliability!.bins[14].count, 4);
  near(m.reliability!.bins[14].accuracy, 0.5, "accuracy");
});

test("ECE: two bins weighted by their counts (hand-computed)", () => {
  // 3 rows at 0.95, all right: |1 − 0.95| = 0.05, weight 3/5;
  // 2 rows at 0.55 (bin (0.5333, 0.6]), one right: |0.5 − 0.55| = 0.05, weight 2/5 → ECE 0.05.
  // Then the 8-row example above: every top-class probability is 0.6 (bin 8), accuracy 3/8 → |0.375 − 0.6|.
  const m = computeMetrics([0, 0, 1, 0, 1], [[0.95, 0.05], [0.95, 0.05], [0.05, 0.95], [0.55, 0.45], [0.55, 0.45]], ["a", "b"]);
  near(m.ece!, 0.05, "ece");
  near(computeMetrics(yTrue, probs, ["a", "b", "c"]).ece!, 0.6 - 0.375, "ece of the 3-class example");
});
