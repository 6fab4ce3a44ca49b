import { test } from "node:test";
import assert from "node:assert/strict";
import { binOf } from "../../lib/training/calibration-error";
import { calibrationSlice, CALIBRATION_SLICE } from "../../lib/training/calibration-slice";
import { calibrateLogits, fitTemperature, foldTemperature, scaledProbabilities, temperatureNll, TEMPERATURE_RANGE } from "../../lib/training/temperature";
import { mulberry32 } from "../../lib/training/rng";
import { forwardBatch, initStaticParams } from "../../lib/training/static-model";

/** Rows whose true logits are `scale`·z with z ~ N(0,1)-ish, labels drawn from softmax(true logits); the model reports `overconfidence`× those logits. */
function synthetic(n: number, C: number, overconfidence: number, seed: number) {
  const rng = mulberry32(seed);
  const logits = new Float32Array(n * C);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: C }, () => (rng() + rng() + rng() - 1.5) * 4);
    const p = scaledProbabilities(z, C, 1)[0];
    let u = rng();
    let y = 0;
    while (y < C - 1 && u > p[y]) u -= p[y++];
    labels.push(y);
    for (let c = 0; c < C; c++) logits[i * C + c] = z[c] * overconfidence;
  }
  return { logits, labels };
}

test("fitTemperature recovers the over-confidence factor of a model (to a few percent) and lowers NLL and ECE", () => {
  for (const [factor, C] of [[3, 2], [0.5, 3], [1, 4]] as const) {
    const { logits, labels } = synthetic(20_000, C, factor, 7);
    const c = calibrateLogits(logits, labels, C);
    assert.ok(Math.abs(c.temperature / factor - 1) < 0.05, `factor ${factor}: T ${c.temperature}`);
    assert.ok(c.nllAfter <= c.nllBefore, "NLL does not rise");
    if (factor !== 1) assert.ok(c.eceAfter < c.eceBefore && c.eceAfter < 0.02, `ECE ${c.eceBefore} → ${c.eceAfter}`);
  }
});

test("fitTemperature is deterministic, keeps T = 1 when nothing is gained, and stays in its range on separable rows", () => {
  const { logits, labels } = synthetic(2000, 2, 2, 3);
  assert.deepEqual(fitTemperature(logits, labels, 2), fitTemperature(logits, labels, 2));
  assert.equal(fitTemperature(new Float32Array(0), [], 2).temperature, 1);
  assert.equal(fitTemperature(new Float32Array([0, 0, 0, 0]), [0, 1], 2).temperature, 1, "uniform scores: no temperature changes them");
  const separable = fitTemperature(new Float32Array([5, -5, -5, 5]), [0, 1], 2);
  assert.ok(Math.abs(separable.temperature - TEMPERATURE_RANGE.min) < 1e-3, `T ${separable.temperature}`);
  // A minimum found by brute force agrees.
  let best = 1;
  for (let t = 0.5; t < 5; t += 0.001) if (temperatureNll(logits, labels, 2, t) < temperatureNll(logits, labels, 2, best)) best = t;
  assert.ok(Math.abs(fitTemperature(logits, labels, 2).temperature - best) < 2e-3);
});

test("foldTemperature divides the final layer: the model's logits become logits / T", () => {
  const p = initStaticParams(50, 8, 3, 1);
  const rng = mulberry32(2);
  p.weight.forEach((_, i) => (p.weight[i] = rng() - 0.5));
  p.bias.forEach((_, i) => (p.bias[i] = rng() - 0.5));
  const ids = [Int32Array.from([1, 2, 3]), Int32Array.from([4]), new Int32Array(0)];
  const before = forwardBatch(p, ids).logits;
  const folded = foldTemperature(p, 2.5);
  const after = forwardBatch(folded, ids).logits;
  before.forEach((x, i) => assert.ok(Math.abs(after[i] - x / 2.5) < 1e-6));
  assert.notEqual(folded.weight, p.weight, "the input is not modified");
  assert.throws(() => foldTemperature(p, 0), RangeError);
});

test("calibrationSlice: 10 % stratified within [min, max] rows, none below the minimum table size, seeded; fit and slice split the rows", () => {
  const labels = Int32Array.from({ length: 1000 }, (_, i) => (i % 4 === 0 ? 1 : 0)); // a quarter of label 1
  const s = calibrationSlice(labels, 2, 42);
  assert.equal(s.calibration.length, 100);
  assert.equal(s.fit.length + s.calibration.length, 1000);
  assert.deepEqual([...new Set([...s.fit, ...s.calibration])].sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i), "every row once");
  assert.ok(s.fit.every((r, k) => k === 0 || r > s.fit[k - 1]), "the rows to train on, in order");
  assert.equal(Array.from(s.calibration).filter((r) => labels[r] === 1).length, 25, "stratified");
  assert.deepEqual(calibrationSlice(labels, 2, 42), s, "seeded");
  assert.notDeepEqual(calibrationSlice(labels, 2, 43).calibration, s.calibration, "another seed, another slice");
  // per-label rounding may move the size by a row or two
  const near = (n: number, want: number) => assert.ok(Math.abs(n - want) <= 2, `${n} rows, want about ${want}`);
  near(calibrationSlice(labels.subarray(0, 300), 2, 1).calibration.length, CALIBRATION_SLICE.minRows);
  const big = Int32Array.from({ length: 30_000 }, (_, i) => i % 3);
  near(calibrationSlice(big, 3, 1).calibration.length, CALIBRATION_SLICE.maxRows);
  // 2,000,000 rows: the slice is drawn without shuffling them all
  const huge = Int32Array.from({ length: 2_000_000 }, (_, i) => (i * 7) % 5);
  const h = calibrationSlice(huge, 5, 1);
  near(h.calibration.length, CALIBRATION_SLICE.maxRows);
  for (let l = 0; l < 5; l++) near(Array.from(h.calibration).filter((r) => huge[r] === l).length, CALIBRATION_SLICE.maxRows / 5);
  const small = labels.subarray(0, CALIBRATION_SLICE.minTrainRows - 1);
  assert.deepEqual(calibrationSlice(small, 2, 1), { fit: Int32Array.from({ length: small.length }, (_, i) => i), calibration: new Int32Array(0) });
  assert.throws(() => calibrationSlice(Int32Array.from({ length: 300 }, () => 2), 2, 1), /row 0 has label index 2, not 0 … 1/);
});

test("binOf: bins are (lower, upper], 0 in the first, 1 in the last", () => {
  assert.equal(binOf(0, 15), 0);
  assert.equal(binOf(1 / 15, 15), 0);
  assert.equal(binOf(1 / 15 + 1e-9, 15), 1);
  assert.equal(binOf(1, 15), 14);
});
