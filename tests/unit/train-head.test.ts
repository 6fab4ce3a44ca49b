import { test } from "node:test";
import assert from "node:assert/strict";
import { fillGaussian, gaussian, mulberry32 } from "../../lib/training/rng";
import {
  headBackwardInto,
  headForwardInto,
  headLoss,
  initHead,
  newHeadCache,
  newHeadGradients,
  type HeadParams,
  type HeadSpec,
} from "../../lib/training/head-model";
import { clipGradNorm, evaluateHead, packRows, resolveClassWeights, resolveHeadTrainArgs, trainHead } from "../../lib/training/train-head";
import { CancelledError } from "../../lib/errors";

function randomHead(spec: HeadSpec, seed: number): HeadParams {
  const h = initHead(spec, seed);
  const rng = mulberry32(seed + 1);
  fillGaussian(h.out.weight, 0.7, rng);
  fillGaussian(h.out.bias, 0.3, rng);
  if (h.hidden) {
    fillGaussian(h.hidden.weight, 0.7, rng);
    fillGaussian(h.hidden.bias, 0.3, rng);
  }
  return h;
}

function lossOf(h: HeadParams, x: Float32Array, y: Int32Array, smoothing: number, cw: Float32Array | null): number {
  const B = y.length;
  const cache = newHeadCache(h, B);
  headForwardInto(h, x, B, cache);
  return headLoss(cache.logits, y, h.numLabels, smoothing, cw, new Float32Array(B * h.numLabels));
}

function gradCheck(spec: HeadSpec, smoothing: number, cw: Float32Array | null): void {
  const B = 6;
  const rng = mulberry32(7);
  const h = randomHead(spec, 3);
  const x = fillGaussian(new Float32Array(B * spec.inputSize), 1, rng);
  const y = Int32Array.from({ length: B }, (_, i) => i % spec.numLabels);
  const cache = newHeadCache(h, B);
  headForwardInto(h, x, B, cache);
  const dlogits = new Float32Array(B * spec.numLabels);
  headLoss(cache.logits, y, spec.numLabels, smoothing, cw, dlogits);
  const g = newHeadGradients(h, B);
  headBackwardInto(h, x, B, cache, dlogits, g);
  const pairs: [string, Float32Array, Float32Array][] = [
    ["out.weight", h.out.weight, g.out.weight],
    ["out.bias", h.out.bias, g.out.bias],
  ];
  if (h.hidden) pairs.push(["hidden.weight", h.hidden.weight, g.hidden!.weight], ["hidden.bias", h.hidden.bias, g.hidden!.bias]);
  let checked = 0;
  for (const [name, theta, grad] of pairs) {
    for (let i = 0; i < theta.length; i++) {
      const orig = theta[i];
      theta[i] = orig + 1e-3;
      const up = theta[i];
      const lp = lossOf(h, x, y, smoothing, cw);
      theta[i] = orig - 1e-3;
      const down = theta[i];
      const lm = lossOf(h, x, y, smoothing, cw);
      theta[i] = orig;
      const numeric = (lp - lm) / (up - down);
      assert.ok(Math.abs(numeric - grad[i]) <= 2e-4 + 1e-2 * Math.abs(numeric), `${spec.type} ${name}[${i}]: numeric ${numeric} vs analytic ${grad[i]}`);
      checked++;
    }
  }
  assert.ok(checked > 10);
}

test("gradients match finite differences: linear head, plain and with class weights + label smoothing", () => {
  const spec: HeadSpec = { type: "linear", inputSize: 5, numLabels: 3 };
  gradCheck(spec, 0, null);
  gradCheck(spec, 0.1, Float32Array.from([0.5, 2, 1.3]));
});

test("gradients match finite differences: mlp head (gelu and relu), with class weights + label smoothing", () => {
  for (const activation of ["gelu", "relu"] as const) {
    const spec: HeadSpec = { type: "mlp", inputSize: 5, numLabels: 3, hiddenSize: 4, activation };
    gradCheck(spec, 0, null);
    gradCheck(spec, 0.2, Float32Array.from([1.5, 0.25, 1]));
  }
});

test("class weights: a weighted loss is the weighted mean of the rows' losses", () => {
  const h = randomHead({ type: "linear", inputSize: 4, numLabels: 2 }, 9);
  const x = fillGaussian(new Float32Array(3 * 4), 1, mulberry32(1));
  const y = Int32Array.from([0, 1, 1]);
  const rows = [0, 1, 2].map((b) => lossOf(h, x.subarray(b * 4, b * 4 + 4), y.subarray(b, b + 1), 0, null));
  const w = Float32Array.from([3, 1]);
  const expected = (3 * rows[0] + rows[1] + rows[2]) / 5;
  assert.ok(Math.abs(lossOf(h, x, y, 0, w) - expected) < 1e-6);
  // "balanced" as scikit-learn: n / (C · count_c)
  assert.deepEqual([...resolveClassWeights("balanced", ["a", "b"], [0, 1, 1, 1])!], [2, Math.fround(2 / 3)]);
  assert.deepEqual([...resolveClassWeights({ b: 4 }, ["a", "b"], [0, 1])!], [1, 4]);
  assert.throws(() => resolveClassWeights({ c: 4 }, ["a", "b"], [0, 1]), /not a label/);
});

/** Two Gaussian blobs per class in D dims, linearly separable-ish with noise. */
function blobs(n: number, D: number, C: number, seed: number, noise = 1) {
  const rng = mulberry32(seed);
  const centers = Array.from({ length: C }, () => fillGaussian(new Float32Array(D), 1.5, rng));
  const X: Float32Array[] = [];
  const Y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % C;
    X.push(centers[c].map((v) => v + noise * gaussian(rng)));
    Y.push(c);
  }
  return { X, Y };
}

test("training lowers the loss, for linear and mlp heads; deterministic for a seed", async () => {
  const { X, Y } = blobs(300, 16, 3, 1);
  for (const head_type of ["linear", "mlp"] as const) {
    const args = resolveHeadTrainArgs({ head_type, head_hidden_size: 32, logging_steps: 10 }, X.length);
    const spec: HeadSpec = { type: args.head.type, inputSize: 16, numLabels: 3, hiddenSize: args.head.hiddenSize, activation: args.head.activation };
    const before = evaluateHead(initHead(spec, 42), packRows(X, 16), Y, 64).loss;
    const r = await trainHead({ trainX: X, trainLabels: Y, spec, args });
    const after = evaluateHead(r.head, packRows(X, 16), Y, 64);
    assert.ok(after.loss < before * 0.5, `${head_type}: ${before} → ${after.loss}`);
    assert.ok(after.accuracy > 0.9, `${head_type}: accuracy ${after.accuracy}`);
    const losses = r.lossCurve.filter((p) => p.loss !== undefined).map((p) => p.loss!);
    assert.ok(losses.at(-1)! < losses[0], "logged training loss falls");
    const again = await trainHead({ trainX: X, trainLabels: Y, spec, args });
    assert.deepEqual(again.head.out.weight, r.head.out.weight);
  }
});

test("early stopping stops after `patience` evaluations without improvement and restores the best weights", async () => {
  // Few, noisy training rows and a big mlp: the eval loss bottoms out and rises (overfitting).
  const { X, Y } = blobs(40, 32, 2, 5, 3);
  const ev = blobs(400, 32, 2, 5, 3); // same centres (same seed), more rows
  const args = resolveHeadTrainArgs(
    { head_type: "mlp", head_hidden_size: 64, num_train_epochs: 400, learning_rate: 0.01, per_device_train_batch_size: 8, early_stopping_patience: 3 },
    X.length,
  );
  assert.equal(args.evaluationStrategy, "epoch");
  assert.equal(args.loadBestModelAtEnd, true);
  const spec: HeadSpec = { type: "mlp", inputSize: 32, numLabels: 2, hiddenSize: 64, activation: "gelu" };
  const logs: string[] = [];
  const r = await trainHead({ trainX: X, trainLabels: Y, evalX: ev.X, evalLabels: ev.Y, spec, args, hooks: { onLog: (m) => void logs.push(m) } });
  assert.ok(r.stoppedEarly, "stopped early");
  assert.ok(r.steps < 400 * 5, `stopped at step ${r.steps}`);
  const evals = r.lossCurve.filter((p) => p.evalLoss !== undefined);
  const bestEval = evals.reduce((a, b) => (b.evalLoss! < a.evalLoss! ? b : a));
  assert.equal(r.bestStep, bestEval.step);
  assert.equal(evals.at(-1)!.step - bestEval.step, 3 * 5, "three evaluations (epochs of 5 steps) after the best");
  assert.ok(r.restoredBest);
  const got = evaluateHead(r.head, packRows(ev.X, 32), ev.Y, 256).loss;
  assert.ok(Math.abs(got - bestEval.evalLoss!) < 1e-9, `restored head's eval loss ${got} vs best ${bestEval.evalLoss}`);
  assert.ok(logs.some((l) => l.includes("early stopping")));
});

test("warm start continues from the given head; cancellation throws CancelledError", async () => {
  const { X, Y } = blobs(120, 8, 2, 3);
  const args = resolveHeadTrainArgs({ num_train_epochs: 3 }, X.length);
  const spec: HeadSpec = { type: "linear", inputSize: 8, numLabels: 2 };
  const first = await trainHead({ trainX: X, trainLabels: Y, spec, args });
  const lossFirst = evaluateHead(first.head, packRows(X, 8), Y, 64).loss;
  const zeroLr = { ...args, learningRate: 1e-12 };
  const warm = await trainHead({ trainX: X, trainLabels: Y, spec, args: zeroLr, init: first.head });
  assert.ok(Math.abs(evaluateHead(warm.head, packRows(X, 8), Y, 64).loss - lossFirst) < 1e-6, "starts where the init left off");
  assert.notEqual(warm.head.out.weight, first.head.out.weight, "the init is not modified in place");
  await assert.rejects(
    trainHead({ trainX: X, trainLabels: Y, spec: { ...spec, numLabels: 3 }, args, init: first.head }),
    /warm start/,
  );
  await assert.rejects(trainHead({ trainX: X, trainLabels: Y, spec, args, hooks: { signal: AbortSignal.abort() } }), CancelledError);
});

test("resolveHeadTrainArgs: head defaults, HF names, warmup_steps, validation", () => {
  const a = resolveHeadTrainArgs({}, 100);
  assert.equal(a.learningRate, 1e-3);
  assert.equal(a.numTrainEpochs, 10);
  assert.equal(a.batchSize, 10); // the original system's rule
  assert.equal(a.evaluationStrategy, "no");
  assert.equal(a.head.type, "linear");
  assert.equal(a.earlyStoppingPatience, null);
  assert.equal(a.loadBestModelAtEnd, false);
  assert.equal(a.maxGradNorm, 1);
  const g = [{ grad: Float32Array.from([3, 0]) }, { grad: Float32Array.from([4]) }];
  assert.ok(Math.abs(clipGradNorm(g, 1) - 5) < 1e-9);
  assert.ok(Math.abs(Math.hypot(...g[0].grad, ...g[1].grad) - 1) < 1e-5, "clipped to norm 1");
  const b = resolveHeadTrainArgs(
    { learning_rate: 0.005, warmup_steps: 7, eval_strategy: "steps", eval_steps: 20, label_smoothing_factor: 0.1, class_weight: "balanced", metric_for_best_model: "accuracy", load_best_model_at_end: true },
    100,
  );
  assert.equal(b.learningRate, 0.005);
  assert.equal(b.warmupSteps, 7);
  assert.equal(b.evaluationStrategy, "steps");
  assert.equal(b.evalSteps, 20);
  assert.equal(b.labelSmoothingFactor, 0.1);
  assert.equal(b.classWeight, "balanced");
  assert.equal(b.metricForBestModel, "accuracy");
  assert.equal(b.greaterIsBetter, true);
  // the model's head settings are the defaults; the request's head options win (values were
  // checked by the encoder request schema: run-request.test.ts)
  assert.deepEqual(resolveHeadTrainArgs({}, 100, { type: "mlp", hiddenSize: 64, activation: "relu" }).head, { type: "mlp", hiddenSize: 64, activation: "relu" });
  assert.deepEqual(resolveHeadTrainArgs({ head_type: "linear", head_activation: "gelu" }, 100, { type: "mlp", hiddenSize: 64, activation: "relu" }).head, { type: "linear", hiddenSize: 64, activation: "gelu" });
  // early stopping: evaluations every epoch unless asked otherwise; patience 0 is off
  const es = resolveHeadTrainArgs({ early_stopping_patience: 2 }, 100);
  assert.deepEqual([es.evaluationStrategy, es.earlyStoppingPatience, es.loadBestModelAtEnd], ["epoch", 2, true]);
  assert.equal(resolveHeadTrainArgs({ early_stopping_patience: 0 }, 100).earlyStoppingPatience, null);
  assert.equal(resolveHeadTrainArgs({ warmup_steps: 0.5 }, 100).warmupSteps, 50, "a fraction of the 100 steps");
});
