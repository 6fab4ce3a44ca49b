import { test } from "node:test";
import assert from "node:assert/strict";
import { mulberry32, randInt } from "../../lib/training/rng";
import { initStaticParams } from "../../lib/training/static-model";
import { evaluateStatic, resolveTrainArgs, trainStatic } from "../../lib/training/train-static";
import { evaluateHead, packRows, resolveHeadTrainArgs, trainHead } from "../../lib/training/train-head";
import { resolveBestModelArgs } from "../../lib/training/best-model";
import { starterRunRequestSchema } from "../../lib/validations/run-request";

// Early stopping, best-model restoring and "Stop and keep the best so far" in both trainers (the
// starter's loops, one thread and several, and the encoder head's), lib/training/best-model.ts.

const V = 3000;
/** Token-id texts whose class is which of three topic-id ranges dominates, over shared filler ids. */
function rows(n: number, seed: number) {
  const rng = mulberry32(seed);
  const ids = Array.from({ length: n }, (_, i) => {
    const topic = (i % 3) * 100;
    return Int32Array.from({ length: 8 + randInt(rng, 40) }, () => (rng() < 0.3 ? topic + randInt(rng, 100) : 300 + randInt(rng, V - 300)));
  });
  return { ids, labels: ids.map((_, i) => i % 3) };
}

const train = rows(3000, 1);
const held = rows(600, 2);
const init = initStaticParams(V, 16, 3, 7);

function starter(request: Parameters<typeof resolveTrainArgs>[0], o: { threads?: number; stop?: AbortSignal } = {}) {
  const args = resolveTrainArgs({ per_device_train_batch_size: 50, learning_rate: 0.01, ...request }, train.ids.length);
  const logs: string[] = [];
  return trainStatic({
    trainIds: train.ids,
    trainLabels: train.labels,
    evalIds: held.ids,
    evalLabels: held.labels,
    init,
    args,
    threads: o.threads,
    hooks: { onLog: (m) => void logs.push(m), stop: o.stop },
  }).then((r) => ({ ...r, logs, stepsPerEpoch: Math.ceil(train.ids.length / 50) }));
}

test("the request schema takes early stopping for the starter model; patience without evaluations is refused", () => {
  assert.ok(starterRunRequestSchema.safeParse({ table: "t", columns: "l,t", early_stopping_patience: 2, metric_for_best_model: "accuracy", load_best_model_at_end: true }).success);
  const bad = starterRunRequestSchema.safeParse({ table: "t", columns: "l,t", early_stopping_patience: 2, eval_strategy: "no" });
  assert.equal(bad.success, false);
  assert.deepEqual(bad.error!.issues.map((i) => i.path.join(".")), ["early_stopping_patience"]);
  assert.deepEqual(resolveBestModelArgs({ early_stopping_patience: 3, metric_for_best_model: "eval_accuracy" }), {
    loadBestModelAtEnd: true,
    metricForBestModel: "accuracy",
    greaterIsBetter: true,
    earlyStoppingPatience: 3,
    earlyStoppingThreshold: 0,
  });
  // Early stopping alone evaluates every epoch.
  assert.equal(resolveTrainArgs({ early_stopping_patience: 1 }, 100).evaluationStrategy, "epoch");
  assert.equal(resolveTrainArgs({}, 100).evaluationStrategy, "no");
});

test("starter, one thread: early stopping ends training when the metric stops improving by the threshold", async () => {
  // No improvement can reach a threshold of 10 in eval loss: the second evaluation stops training.
  const r = await starter({ num_train_epochs: 20, early_stopping_patience: 1, early_stopping_threshold: 10 });
  assert.equal(r.steps, 2 * r.stepsPerEpoch);
  assert.equal(r.stoppedEarly, true);
  assert.ok(r.logs.some((m) => /^early stopping at step \d+: eval_loss has not improved for 1 evaluations/.test(m)), r.logs.join("\n"));
});

test("starter: load_best_model_at_end restores the best evaluation's weights (here the worst loss, asked for as 'greater is better')", async () => {
  const r = await starter({ num_train_epochs: 4, eval_strategy: "epoch", load_best_model_at_end: true, greater_is_better: true });
  const evals = r.lossCurve.filter((p) => p.evalLoss !== undefined);
  assert.equal(evals.length, 4);
  assert.ok(evals[0].evalLoss! > evals[3].evalLoss!, "the loss falls as it trains");
  assert.equal(r.bestStep, evals[0].step);
  assert.equal(r.restoredBest, true);
  const now = evaluateStatic(r.params, held.ids, held.labels, 64);
  assert.ok(Math.abs(now.loss - evals[0].evalLoss!) < 1e-6, `the returned weights are the first evaluation's: ${now.loss} vs ${evals[0].evalLoss}`);
});

for (const threads of [1, 2]) {
  test(`starter, ${threads} thread(s): a stop asked for before training ends it after its first epoch, keeping the best weights`, async () => {
    const stop = new AbortController();
    stop.abort();
    const r = await starter({ num_train_epochs: 30, eval_strategy: "epoch" }, { threads, stop: stop.signal });
    assert.equal(r.steps, r.stepsPerEpoch);
    assert.ok(r.logs.some((m) => new RegExp(`^stopped on request at step ${r.stepsPerEpoch} \\(epoch 1\\.00\\)`).test(m)), r.logs.join("\n"));
    assert.ok(evaluateStatic(r.params, held.ids, held.labels, 64).accuracy > 0.6, "one epoch already learns");
  });
}

test("starter: a stop asked for mid-training ends it at the next step after the first epoch", async () => {
  const stop = new AbortController();
  const args = resolveTrainArgs({ per_device_train_batch_size: 50, num_train_epochs: 30 }, train.ids.length);
  let stoppedAt = 0;
  const r = await trainStatic({
    trainIds: train.ids,
    trainLabels: train.labels,
    init,
    args,
    hooks: {
      stop: stop.signal,
      onStep: ({ step }) => {
        if (step === 150 && !stop.signal.aborted) {
          stoppedAt = step;
          stop.abort();
        }
      },
    },
  });
  assert.equal(stoppedAt, 150);
  assert.equal(r.steps, 150, "stopped right after the step that asked");
});

test("encoder head: a stop ends training after the first epoch and the best head is kept; early stopping as before", async () => {
  const rng = mulberry32(5);
  const make = (n: number) => {
    const X = Array.from({ length: n }, (_, i) => Float32Array.from({ length: 8 }, (_, d) => (d === i % 2 ? 1 : 0) + (rng() - 0.5)));
    return { X, Y: X.map((_, i) => i % 2) };
  };
  const a = make(400);
  const b = make(100);
  const stop = new AbortController();
  stop.abort();
  const args = resolveHeadTrainArgs({ num_train_epochs: 50, eval_strategy: "epoch", load_best_model_at_end: true, per_device_train_batch_size: 20 }, a.X.length);
  const logs: string[] = [];
  const r = await trainHead({ trainX: a.X, trainLabels: a.Y, evalX: b.X, evalLabels: b.Y, spec: { type: "linear", inputSize: 8, numLabels: 2 }, args, hooks: { stop: stop.signal, onLog: (m) => void logs.push(m) } });
  assert.equal(r.steps, 20);
  assert.ok(logs.some((m) => /^stopped on request at step 20/.test(m)), logs.join("\n"));
  assert.ok(evaluateHead(r.head, packRows(b.X, 8), b.Y, 64).accuracy > 0.8);
});
