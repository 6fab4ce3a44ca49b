import { test } from "node:test";
import assert from "node:assert/strict";
import { initStaticParams } from "../../lib/training/static-model";
import { TOPIC_VOCAB, topicAccuracy, topicRows } from "../helpers/topic-ids";
import { resolveTrainArgs, threadsFor, THREADS_MIN_ROW_EPOCHS, trainStatic } from "../../lib/training/train-static";
import { sharedRows } from "../../lib/training/train-pieces";
import { featureLayout } from "../../lib/training/feature-pool";
import { ngramTable } from "../../lib/training/subword";

// The multi-thread loop (lib/training/hogwild.ts) against the single-thread one on the same data:
// token-id "texts" whose class is which of two topic-id ranges dominates, over shared filler ids.
const V = TOPIC_VOCAB;
const rows = topicRows;
const accuracy = topicAccuracy;

test("threadsFor: one thread for small runs, at most the wanted threads and the batches of an epoch", () => {
  assert.equal(threadsFor(100, 5, 10, 8), 1);
  assert.equal(threadsFor(THREADS_MIN_ROW_EPOCHS, 1, 1000, 4), 4);
  assert.equal(threadsFor(THREADS_MIN_ROW_EPOCHS, 1, 3, 4), 3);
  assert.equal(threadsFor(1e6, 5, 1e5, 1), 1);
});

test("sharedRows: views of one shared buffer are used in place (any subset, any order); other rows are packed", () => {
  const buf = new Int32Array(new SharedArrayBuffer(4 * 10));
  buf.forEach((_, i) => (buf[i] = i));
  const views = [buf.subarray(6, 9), buf.subarray(0, 2), buf.subarray(2, 2)];
  const s = sharedRows(views);
  assert.equal(s.ids.buffer, buf.buffer);
  assert.deepEqual([...s.starts], [6, 0, 2]);
  assert.deepEqual([...s.lengths], [3, 2, 0]);
  const plain = [Int32Array.of(5, 6), Int32Array.of(), Int32Array.of(7)];
  const p = sharedRows(plain);
  assert.ok(p.ids.buffer instanceof SharedArrayBuffer);
  assert.deepEqual(plain.map((_, i) => [...p.ids.subarray(p.starts[i], p.starts[i] + p.lengths[i])]), [[5, 6], [], [7]]);
  const mixed = sharedRows([buf.subarray(0, 1), Int32Array.of(9)]);
  assert.notEqual(mixed.ids.buffer, buf.buffer);
  assert.deepEqual([...mixed.ids], [0, 9]);
});

for (const features of [false, true]) {
  test(`two threads learn as well as one${features ? " (sub-word and pair features)" : ""}; same steps, loss curve and evaluation points; one thread repeats exactly`, async () => {
    const train = rows(6000, 1);
    const held = rows(900, 2);
    const layout = features
      ? featureLayout(V, ngramTable(Array.from({ length: V }, (_, i) => `w${i}`), { minn: 2, maxn: 3, buckets: 500, wordNgrams: 2, pairBuckets: 400 }), { minn: 2, maxn: 3, buckets: 500, wordNgrams: 2, pairBuckets: 400 })
      : undefined;
    const rowsTotal = features ? V + 500 + 400 : V;
    const init = initStaticParams(rowsTotal, 16, 3, 7);
    const args = resolveTrainArgs({ num_train_epochs: 4, evaluation_strategy: "epoch", logging_steps: 50 }, train.ids.length);
    const logs: string[] = [];
    const run = (threads: number) =>
      trainStatic({ trainIds: train.ids, trainLabels: train.labels, evalIds: held.ids, evalLabels: held.labels, init, layout, args, threads, hooks: { onLog: (m) => void logs.push(m) } });
    const one = await run(1);
    const two = await run(2);
    assert.ok(logs.some((m) => m.includes("2 threads")), logs[0]);
    assert.equal(two.steps, one.steps);
    assert.deepEqual(two.lossCurve.map((p) => [p.step, p.loss === undefined]), one.lossCurve.map((p) => [p.step, p.loss === undefined]));
    const accOne = accuracy(one.params, held.ids, held.labels, layout);
    const accTwo = accuracy(two.params, held.ids, held.labels, layout);
    assert.ok(accOne > 0.9, `one thread: ${accOne}`);
    assert.ok(accTwo > accOne - 0.03, `two threads ${accTwo} vs one ${accOne}`);
    // the weights come back as ordinary arrays, the init is untouched
    assert.ok(!(two.params.embedding.buffer instanceof SharedArrayBuffer));
    assert.deepEqual(init.embedding, initStaticParams(rowsTotal, 16, 3, 7).embedding);
    assert.deepEqual((await run(1)).params, one.params);
    // one thread on a worker thread (the starter's calibration probe, trained alongside the model): the same weights as here
    const offThread = await trainStatic({ trainIds: train.ids, trainLabels: train.labels, evalIds: held.ids, evalLabels: held.labels, init, layout, args, threads: 1, offThread: true, hooks: { onLog: (m) => void logs.push(m) } });
    assert.ok(logs.some((m) => m.includes("1 thread (a worker thread)")));
    assert.deepEqual(offThread.params, one.params);
    assert.deepEqual(offThread.lossCurve, one.lossCurve);
  });
}

test("threads: cancellation rejects with CancelledError and stops the threads; a bad label is refused before any thread starts", async () => {
  const train = rows(6000, 3);
  const cancel = new AbortController();
  let steps = 0;
  await assert.rejects(
    trainStatic({
      trainIds: train.ids, trainLabels: train.labels, init: initStaticParams(V, 16, 3, 1),
      args: resolveTrainArgs({ num_train_epochs: 1000 }, train.ids.length), threads: 2,
      hooks: { signal: cancel.signal, onStep: () => void (++steps === 200 && cancel.abort()) },
    }),
    (e: Error) => e.name === "CancelledError",
  );
  // a label outside the model's is refused before any thread starts
  await assert.rejects(
    trainStatic({ trainIds: train.ids, trainLabels: train.labels.map(() => 5), init: initStaticParams(V, 16, 3, 1), args: resolveTrainArgs({}, train.ids.length), threads: 2 }),
    /label 5/,
  );
});
