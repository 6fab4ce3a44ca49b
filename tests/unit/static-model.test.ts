import { test } from "node:test";
import assert from "node:assert/strict";
import type { StaticParams } from "../../lib/training/types";
import { mulberry32, fillGaussian } from "../../lib/training/rng";
import { backwardBatch, forwardBatch, growVocabulary, initStaticParams, softmaxCrossEntropy, SparseRows } from "../../lib/training/static-model";

// --- a float64 reference of the loss, written independently of the code under test ----------------
function referenceLoss(
  E: Float64Array, W: Float64Array, bias: Float64Array,
  dim: number, C: number, batch: number[][], labels: number[], eps: number,
): number {
  let total = 0;
  for (let b = 0; b < batch.length; b++) {
    const pooled = new Float64Array(dim);
    for (const id of batch[b]) for (let d = 0; d < dim; d++) pooled[d] += E[id * dim + d] / batch[b].length;
    const logits = Array.from({ length: C }, (_, c) => {
      let s = bias[c];
      for (let d = 0; d < dim; d++) s += pooled[d] * W[d * C + c];
      return s;
    });
    const m = Math.max(...logits);
    const logZ = m + Math.log(logits.reduce((a, l) => a + Math.exp(l - m), 0));
    for (let c = 0; c < C; c++) {
      const q = (c === labels[b] ? 1 - eps : 0) + eps / C;
      total -= q * (logits[c] - logZ);
    }
  }
  return total / batch.length;
}

function randomParams(V: number, dim: number, C: number, seed: number): StaticParams {
  const p = initStaticParams(V, dim, C, seed);
  const rng = mulberry32(seed + 1);
  fillGaussian(p.embedding, 0.5, rng);
  fillGaussian(p.weight, 0.5, rng);
  fillGaussian(p.bias, 0.5, rng);
  return p;
}

function gradCheck(labelSmoothing: number, dim: number, C: number) {
  const V = 12;
  const p = randomParams(V, dim, C, 3);
  // token 3 repeated in one text, token 7 in two texts, one empty text
  const batch = [[3, 3, 5], [7, 1, 0, 7], [], [7, 11]];
  const labels = [0, 2, 1, C - 1];
  const ids = batch.map((b) => Int32Array.from(b));
  const cache = forwardBatch(p, ids);
  const { loss, dlogits } = softmaxCrossEntropy(cache.logits, labels, C, labelSmoothing);
  const g = backwardBatch(p, ids, cache, dlogits);

  const E = Float64Array.from(p.embedding), W = Float64Array.from(p.weight), bias = Float64Array.from(p.bias);
  const L = () => referenceLoss(E, W, bias, dim, C, batch, labels, labelSmoothing);
  assert.ok(Math.abs(L() - loss) < 1e-5, `loss ${loss} vs reference ${L()}`);
  const h = 1e-5;
  const numeric = (arr: Float64Array, i: number) => {
    const x = arr[i];
    arr[i] = x + h; const up = L();
    arr[i] = x - h; const down = L();
    arr[i] = x;
    return (up - down) / (2 * h);
  };
  const close = (a: number, b: number, what: string) =>
    assert.ok(Math.abs(a - b) <= 1e-6 + 1e-4 * Math.abs(b), `${what}: analytic ${a} vs numeric ${b}`);

  for (let i = 0; i < W.length; i++) close(g.dWeight[i], numeric(W, i), `dW[${i}]`);
  for (let c = 0; c < C; c++) close(g.dBias[c], numeric(bias, c), `dbias[${c}]`);
  // sparse rows: exactly the touched ids, each matching the numeric gradient
  assert.deepEqual([...g.dRows.keys()].sort((a, b) => a - b), [0, 1, 3, 5, 7, 11]);
  for (let id = 0; id < V; id++) {
    const row = g.dRows.get(id);
    for (let d = 0; d < dim; d++) {
      const num = numeric(E, id * dim + d);
      if (!row) assert.ok(Math.abs(num) < 1e-9, `untouched row ${id} has gradient ${num}`);
      else close(row[d], num, `dE[${id}][${d}]`);
    }
  }
  // a repeated token counts each time: row 3 gets 2/3 of text 0's dpooled, row 5 gets 1/3
  const r3 = g.dRows.get(3)!, r5 = g.dRows.get(5)!;
  for (let d = 0; d < dim; d++) close(r3[d], 2 * r5[d], `repeat ${d}`);
}

// numLabels < dim takes the factored embedding gradient, numLabels ≥ dim the direct one
test("gradients match finite differences (plain cross-entropy, 3 labels, dim 5)", () => gradCheck(0, 5, 3));
test("gradients match finite differences (label smoothing 0.1, 3 labels, dim 5)", () => gradCheck(0.1, 5, 3));
test("gradients match finite differences (5 labels, dim 3)", () => gradCheck(0, 3, 5));
test("gradients match finite differences (label smoothing 0.2, 4 labels, dim 4)", () => gradCheck(0.2, 4, 4));

test("an empty text pools to zeros and its logits are the bias", () => {
  const p = randomParams(6, 4, 2, 9);
  const { pooled, logits } = forwardBatch(p, [new Int32Array([1, 2]), new Int32Array(0)]);
  assert.deepEqual([...pooled.subarray(4, 8)], [0, 0, 0, 0]);
  assert.deepEqual([...logits.subarray(2, 4)], [...p.bias]);
});

test("plain gradient descent drives the loss down on a separable problem", () => {
  const V = 20, dim = 8, C = 2;
  const rng = mulberry32(5);
  const texts: Int32Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < 40; i++) {
    const y = i % 2;
    const ids = Array.from({ length: 6 }, () => (rng() < 0.5 ? 5 + y * 5 + Math.floor(rng() * 5) : 15 + Math.floor(rng() * 5)));
    texts.push(Int32Array.from(ids));
    labels.push(y);
  }
  const p = initStaticParams(V, dim, C, 1);
  const lossAt = () => softmaxCrossEntropy(forwardBatch(p, texts).logits, labels, C).loss;
  const first = lossAt();
  const lr = 2;
  for (let it = 0; it < 200; it++) {
    const cache = forwardBatch(p, texts);
    const { dlogits } = softmaxCrossEntropy(cache.logits, labels, C);
    const g = backwardBatch(p, texts, cache, dlogits);
    for (let i = 0; i < p.weight.length; i++) p.weight[i] -= lr * g.dWeight[i];
    for (let c = 0; c < C; c++) p.bias[c] -= lr * g.dBias[c];
    for (const [id, row] of g.dRows) for (let d = 0; d < dim; d++) p.embedding[id * dim + d] -= lr * row[d];
  }
  const last = lossAt();
  assert.ok(Math.abs(first - Math.log(2)) < 1e-6, `initial loss ${first} should be ln 2 (zero head)`);
  assert.ok(last < 0.1 * first, `loss ${first} → ${last}`);
});

test("growVocabulary keeps the old rows and head, and adds new rows", () => {
  const p = initStaticParams(10, 4, 2, 1);
  p.weight.fill(0.5);
  const g = growVocabulary(p, 13, 2);
  assert.equal(g.vocabSize, 13);
  assert.deepEqual([...g.embedding.subarray(0, 40)], [...p.embedding]);
  assert.ok(g.embedding.subarray(40).some((x) => x !== 0));
  assert.deepEqual([...g.weight], [...p.weight]);
  assert.equal(growVocabulary(p, 10, 2), p);
});

test("SparseRows grows past its capacity and keeps every slot's row and coefficients", () => {
  const rows = new SparseRows(100, 3, 2, 2);
  for (let id = 10; id < 15; id++) {
    const s = rows.slot(id);
    rows.rows.set([id, id + 0.5, -id], s * 3);
    rows.coef.set([id * 2, -id * 2], s * 2);
  }
  assert.equal(rows.count, 5);
  for (let id = 10; id < 15; id++) {
    const s = rows.slot(id);
    assert.deepEqual([...rows.rows.subarray(s * 3, s * 3 + 3)], [id, id + 0.5, -id]);
    assert.deepEqual([...rows.coef.subarray(s * 2, s * 2 + 2)], [id * 2, -id * 2]);
  }
  rows.reset();
  assert.equal(rows.slot(12), 0, "after reset the first id takes slot 0 again");
  assert.deepEqual([...rows.rows.subarray(0, 3)], [0, 0, 0]);
});
