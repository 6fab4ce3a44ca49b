import { test } from "node:test";
import assert from "node:assert/strict";
import { mulberry32, randInt } from "../../lib/training/rng";
import { initStaticParams, meanPool } from "../../lib/training/static-model";
import { newStaticMoments, StaticStepper, type StaticMoments } from "../../lib/training/static-step";
import { ADAMW_DEFAULTS } from "../../lib/training/optimizer";
import { copyParams, trainStatic } from "../../lib/training/train-static";
import { KernelArena, kernelsFit, kernelsModule, StepKernels } from "../../lib/training/wasm-kernels";
import { featureLayout } from "../../lib/training/feature-pool";
import { ngramTable } from "../../lib/training/subword";
import type { StaticParams } from "../../lib/training/types";

// The WebAssembly SIMD kernels (lib/training/wasm-kernels.ts, kernels-wat.ts) against the
// JavaScript loops they replace (static-model.ts, optimizer.ts), which stay the reference: the same
// results up to f32 rounding, on shapes whose label count is not a multiple of 4, with repeated
// ids in a text, empty texts and weight decay.

function batchOf(rng: () => number, B: number, V: number, maxLen: number): Int32Array[] {
  return Array.from({ length: B }, (_, b) => Int32Array.from({ length: b === 1 ? 0 : 1 + randInt(rng, maxLen) }, () => randInt(rng, V)));
}

function closeTo(actual: Float32Array, expected: Float32Array, tol: number, what: string): void {
  assert.equal(actual.length, expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (Math.abs(expected[i]) + 1e-3));
  assert.ok(worst <= tol, `${what}: worst relative difference ${worst.toExponential(2)} > ${tol}`);
}

/** Non-zero moments, so that no element's update hangs on the sign of a gradient near zero. */
function warmMoments(p: StaticParams, rng: () => number, alloc?: (n: number) => Float32Array): StaticMoments {
  const m = newStaticMoments(p, alloc);
  for (const s of [m.embedding, m.weight, m.bias]) {
    s.m.forEach((_, i) => (s.m[i] = (rng() - 0.5) * 1e-2));
    s.v.forEach((_, i) => (s.v[i] = 1e-4 + rng() * 1e-4));
  }
  return m;
}

test("kernels: meanPool equals static-model meanPool (dim 8 and 64, an empty text, repeated ids)", async () => {
  const module = await kernelsModule();
  for (const dim of [8, 64]) {
    const rng = mulberry32(dim);
    const p = initStaticParams(200, dim, 3, 1);
    const batch = batchOf(rng, 7, 200, 30);
    const arena = new KernelArena(module, p, { batchSize: 7, maxBatchTokens: 7 * 30, maxTouchedRows: 7 * 30, threads: 1 });
    const q = copyParams(p, arena.alloc);
    const k = new StepKernels(arena.setup(), 0, dim, 3, 7);
    k.meanPool(q.embedding, batch);
    const expected = new Float32Array(7 * dim);
    for (let b = 0; b < 7; b++) meanPool(p, batch[b], expected, b * dim);
    closeTo(k.pooled, expected, 1e-5, `pooled, dim ${dim}`);
    assert.ok(k.pooled.subarray(dim, 2 * dim).every((x) => x === 0), "an empty text pools to zeros");
  }
});

test("kernels: a whole step equals the JavaScript step (plain model; 3, 5 and 7 labels; weight decay; a step that reuses the slots)", async () => {
  const module = await kernelsModule();
  for (const C of [3, 5, 7]) {
    const rng = mulberry32(C);
    const dim = 16;
    const V = 300;
    const init = initStaticParams(V, dim, C, 2);
    init.weight.forEach((_, i) => (init.weight[i] = rng() - 0.5));
    const cfg = { ...ADAMW_DEFAULTS, lr: 0.01, weightDecay: 0.01 };
    const arena = new KernelArena(module, init, { batchSize: 6, maxBatchTokens: 6 * 25, maxTouchedRows: 6 * 25, threads: 1 });
    const pk = copyParams(init, arena.alloc);
    const mk = warmMoments(pk, mulberry32(9), arena.alloc);
    const pj = copyParams(init);
    const mj = warmMoments(pj, mulberry32(9));
    const wasm = new StaticStepper(pk, mk, cfg, 6, 0, undefined, { setup: arena.setup(), thread: 0 });
    const js = new StaticStepper(pj, mj, cfg, 6, 0);
    for (let t = 10; t < 13; t++) {
      const batch = batchOf(rng, 6, V, 25);
      const labels = batch.map((_, i) => i % C);
      const lk = wasm.step(batch, labels, 0.01, t);
      const lj = js.step(batch, labels, 0.01, t);
      assert.ok(Math.abs(lk - lj) < 1e-5, `loss ${lk} vs ${lj}`);
    }
    closeTo(pk.embedding, pj.embedding, 1e-4, `embedding, ${C} labels`);
    closeTo(mk.embedding.m, mj.embedding.m, 1e-4, `first moments, ${C} labels`);
    closeTo(mk.embedding.v, mj.embedding.v, 1e-4, `second moments, ${C} labels`);
    closeTo(pk.weight, pj.weight, 1e-4, `head, ${C} labels`);
  }
});

test("kernels: the AdamW update of rows gathered in JavaScript (sub-word and pair features) equals the JavaScript update", async () => {
  const module = await kernelsModule();
  const rng = mulberry32(4);
  const vocab = Array.from({ length: 60 }, (_, i) => (i < 5 ? `[T${i}]` : `w${i}x${"abc"[i % 3]}`));
  const o = { minn: 2, maxn: 3, buckets: 64, wordNgrams: 2, pairBuckets: 32 };
  const layout = featureLayout(vocab.length, ngramTable(vocab, o), o);
  const rows = vocab.length + o.buckets + o.pairBuckets;
  const init = initStaticParams(rows, 8, 3, 5);
  init.weight.forEach((_, i) => (init.weight[i] = rng() - 0.5));
  const cfg = { ...ADAMW_DEFAULTS, lr: 0.02, weightDecay: 0 };
  const arena = new KernelArena(module, init, { batchSize: 4, maxBatchTokens: 4 * 12, maxTouchedRows: rows, threads: 1 });
  const pk = copyParams(init, arena.alloc);
  const mk = warmMoments(pk, mulberry32(1), arena.alloc);
  const pj = copyParams(init);
  const mj = warmMoments(pj, mulberry32(1));
  const wasm = new StaticStepper(pk, mk, cfg, 4, 0, layout, { setup: arena.setup(), thread: 0 });
  const js = new StaticStepper(pj, mj, cfg, 4, 0, layout);
  for (let t = 5; t < 8; t++) {
    const batch = batchOf(rng, 4, vocab.length, 12);
    wasm.step(batch, [0, 1, 2, 0], 0.02, t);
    js.step(batch, [0, 1, 2, 0], 0.02, t);
  }
  closeTo(pk.embedding, pj.embedding, 1e-4, "embedding with features");
});

test("trainStatic: the kernels learn what the JavaScript loops learn, repeat exactly on one thread, and a dim they do not fit falls back", async () => {
  const rng = mulberry32(11);
  const V = 2000;
  const ids = Array.from({ length: 600 }, (_, i) => Int32Array.from({ length: 10 + randInt(rng, 40) }, () => (rng() < 0.3 ? (i % 3) * 100 + randInt(rng, 100) : 300 + randInt(rng, V - 300))));
  const labels = ids.map((_, i) => i % 3);
  const args = { learningRate: 0.01, numTrainEpochs: 3, batchSize: 16, evalBatchSize: 64, weightDecay: 0, seed: 1, evaluationStrategy: "no" as const, evalSteps: 10, loggingSteps: 10, warmupRatio: 0 };
  const run = (kernels: "wasm" | "js", dim = 16) => trainStatic({ trainIds: ids, trainLabels: labels, init: initStaticParams(V, dim, 3, 1), args, kernels, threads: 1 });
  const [a, b, js] = [await run("wasm"), await run("wasm"), await run("js")];
  assert.deepEqual(a.params.embedding, b.params.embedding, "the same seed gives the same weights on the kernels");
  const last = (r: typeof a) => r.lossCurve.filter((p) => p.loss !== undefined).at(-1)!.loss!;
  assert.ok(Math.abs(last(a) - last(js)) < 0.02 * last(js) + 1e-3, `final training loss ${last(a)} (kernels) vs ${last(js)} (JavaScript)`);
  const first = a.lossCurve.find((p) => p.loss !== undefined)!.loss!;
  assert.ok(last(a) < 0.8 * first, `the loss falls: ${first} → ${last(a)}`);
  assert.equal(kernelsFit(6), false);
  const odd = await run("wasm", 6);
  assert.ok(odd.params.embedding.every(Number.isFinite), "dim 6 trains on the JavaScript loops");
});
