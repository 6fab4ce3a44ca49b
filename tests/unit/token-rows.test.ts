import { test } from "node:test";
import assert from "node:assert/strict";
import { lazyTokenRows, pickTokenRows, sharedTokenBuffer, sharedTokenViews, tokenRowsRange } from "../../lib/training/token-rows";
import { initStaticParams } from "../../lib/training/static-model";
import { resolveTrainArgs, trainStatic } from "../../lib/training/train-static";
import { mulberry32, randInt } from "../../lib/training/rng";
import { packChunk, TokenPacker } from "../../lib/tokenizers/token-packer";

/** Rows of the given lengths as views of one shared buffer, starting `lead` ids in. */
function sharedRows(lengths: number[], lead = 0): Int32Array[] {
  const flat = new Int32Array(new SharedArrayBuffer((lead + lengths.reduce((a, b) => a + b, 0)) * 4));
  let at = lead;
  return lengths.map((n) => {
    const row = flat.subarray(at, at + n);
    row.fill(at);
    at += n;
    return row;
  });
}

test("sharedTokenBuffer: views of one shared buffer, in order and contiguous, give the buffer and each row's start", () => {
  const rows = sharedRows([3, 0, 5, 1], 2);
  const found = sharedTokenBuffer(rows)!;
  assert.ok(found);
  assert.equal(found.buffer, rows[0].buffer);
  assert.deepEqual([...found.offsets], [2, 5, 5, 10, 11]);
  const flat = new Int32Array(found.buffer);
  rows.forEach((r, i) => assert.deepEqual([...flat.subarray(found.offsets[i], found.offsets[i + 1])], [...r]));
  // a contiguous run of them (the training rows, the test rows) still works
  assert.deepEqual([...sharedTokenBuffer(rows.slice(0, 2))!.offsets], [2, 5, 5]);
  assert.deepEqual([...sharedTokenBuffer(rows.slice(2))!.offsets], [5, 10, 11]);
});

test("sharedTokenBuffer: plain arrays, several buffers, gaps, wrong order or no rows give null", () => {
  const rows = sharedRows([3, 2, 4]);
  assert.equal(sharedTokenBuffer([]), null);
  assert.equal(sharedTokenBuffer([new Int32Array(3), new Int32Array(2)]), null, "plain arrays");
  const plain = new Int32Array(10);
  assert.equal(sharedTokenBuffer([plain.subarray(0, 3), plain.subarray(3, 5)]), null, "views of a plain ArrayBuffer");
  assert.equal(sharedTokenBuffer([rows[0], ...sharedRows([2])]), null, "two shared buffers");
  assert.equal(sharedTokenBuffer([rows[0], rows[2]]), null, "a gap");
  assert.equal(sharedTokenBuffer([rows[1], rows[0]]), null, "out of order");
  assert.equal(sharedTokenBuffer([rows[0], new Int32Array(2)]), null, "mixed");
});

test("sharedTokenViews: any views of one shared buffer, in any order, with where each lies", () => {
  const rows = sharedRows([3, 2, 4], 1);
  const picked = [rows[2], rows[0]];
  const found = sharedTokenViews(picked)!;
  assert.equal(found.buffer, rows[0].buffer);
  assert.deepEqual([...found.starts], [6, 1]);
  assert.deepEqual([...found.lengths], [4, 3]);
  const flat = new Int32Array(found.buffer);
  picked.forEach((r, i) => assert.deepEqual([...flat.subarray(found.starts[i], found.starts[i] + found.lengths[i])], [...r]));
  assert.equal(sharedTokenViews([]), null);
  assert.equal(sharedTokenViews([rows[0], new Int32Array(2)]), null);
  assert.equal(sharedTokenViews([rows[0], ...sharedRows([2])]), null);
});

test("TokenPacker: chunks added in any order come out as views of one shared buffer, in the texts' order", () => {
  // 5 chunks of texts whose ids are [text index, repeated text index % 4 times]
  const ranges: [number, number][] = [[0, 3], [3, 4], [4, 9], [9, 10], [10, 14]];
  const chunk = ([from, to]: [number, number]) => packChunk(Array.from({ length: to - from }, (_, k) => new Int32Array((from + k) % 4).fill(from + k)));
  for (const order of [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 0, 4, 1, 3]]) {
    // a bound of 0 ids keeps the buffer just big enough: it is reallocated for every chunk
    const packer = new TokenPacker(ranges, 0);
    for (const c of order) packer.add(c, chunk(ranges[c]));
    const rows = packer.finish();
    assert.equal(rows.length, 14);
    rows.forEach((r, i) => assert.deepEqual([...r], new Array(i % 4).fill(i), `text ${i}, order ${order}`));
    assert.ok(sharedTokenBuffer(rows), "one shared buffer");
  }
  assert.deepEqual(new TokenPacker([], 0).finish(), []);
  assert.throws(() => new TokenPacker(ranges, 100).finish(), /never packed/);
});

/** Lazy rows over the same table as `rows` (views of one shared buffer). */
function lazyOf(rows: Int32Array[]): Int32Array[] {
  const v = sharedTokenViews(rows)!;
  return lazyTokenRows({ buffer: v.buffer, starts: v.starts, lengths: v.lengths });
}

test("lazyTokenRows: reads as the views it stands for (index, length, iteration, slice, map, keys), holds none, and gives sharedTokenViews its table", () => {
  const rows = sharedRows([3, 0, 5, 1, 4], 2);
  const lazy = lazyOf(rows);
  const plain = (a: Int32Array[]) => a.map((r) => [...r]);
  assert.equal(lazy.length, 5);
  assert.ok(Array.isArray(lazy));
  assert.ok(lazy[2] instanceof Int32Array && lazy[2].buffer === rows[0].buffer);
  assert.deepEqual([...lazy[2]], [...rows[2]]);
  assert.equal(lazy[5], undefined);
  assert.equal(lazy[-1 as number], undefined);
  assert.deepEqual(plain([...lazy]), plain(rows));
  assert.deepEqual(plain(lazy.slice(1, 4)), plain(rows.slice(1, 4)));
  assert.deepEqual(lazy.map((r) => r.length), [3, 0, 5, 1, 4]);
  assert.deepEqual(Object.keys(lazy), ["0", "1", "2", "3", "4"]);
  assert.ok(2 in lazy && !(5 in lazy));
  assert.throws(() => ((lazy as Int32Array[])[0] = new Int32Array(1)), TypeError, "read-only");
  const table = sharedTokenViews(lazy)!;
  assert.deepEqual([...table.starts], [2, 5, 5, 10, 11]);
  assert.deepEqual([...sharedTokenBuffer(lazy)!.offsets], [2, 5, 5, 10, 11, 15]);
  // a range and a pick stay lazy and read the same rows
  const range = tokenRowsRange(lazy, 1, 4);
  assert.deepEqual(plain([...range]), plain(rows.slice(1, 4)));
  assert.deepEqual([...sharedTokenViews(range)!.starts], [5, 5, 10]);
  const picked = pickTokenRows(lazy, [4, 0, 2]);
  assert.deepEqual(plain([...picked]), plain([rows[4], rows[0], rows[2]]));
  assert.ok(sharedTokenViews(picked) && Object.keys(picked).length === 3);
  assert.throws(() => pickTokenRows(lazy, [5]), RangeError);
  // on plain arrays they are slice and map
  assert.deepEqual(tokenRowsRange(rows, 1, 3), rows.slice(1, 3));
  assert.deepEqual(pickTokenRows(rows, [3, 1]), [rows[3], rows[1]]);
  assert.equal(lazyTokenRows({ buffer: new SharedArrayBuffer(0), starts: new Float64Array(0), lengths: new Int32Array(0) }).length, 0);
});

test("TokenPacker.finishLazy: the rows finish gives, without a view per row", () => {
  const ranges: [number, number][] = [[0, 3], [3, 4], [4, 9]];
  const chunk = ([from, to]: [number, number]) => packChunk(Array.from({ length: to - from }, (_, k) => new Int32Array((from + k) % 4).fill(from + k)));
  const packer = new TokenPacker(ranges, 0);
  for (const c of [2, 0, 1]) packer.add(c, chunk(ranges[c]));
  assert.deepEqual([...packer.finishLazy()].map((r) => [...r]), packer.finish().map((r) => [...r]));
  assert.throws(() => new TokenPacker(ranges, 0).finishLazy(), /never packed/);
});

test("trainStatic on lazy rows: one thread gives exactly the weights of the same rows as views; two threads train on the table in place", async () => {
  const rng = mulberry32(7);
  const lengths = Array.from({ length: 3000 }, () => 5 + randInt(rng, 30));
  const rows = sharedRows(lengths);
  const labels = rows.map((_, i) => i % 3);
  for (let i = 0; i < rows.length; i++) for (let t = 0; t < rows[i].length; t++) rows[i][t] = rng() < 0.4 ? labels[i] * 50 + randInt(rng, 50) : 150 + randInt(rng, 350);
  const lazy = lazyOf(rows);
  const init = initStaticParams(500, 16, 3, 1);
  const args = { ...resolveTrainArgs({ num_train_epochs: 2, per_device_train_batch_size: 16, seed: 5 }, rows.length), evaluationStrategy: "epoch" as const };
  const evalIds = tokenRowsRange(lazy, 2500, 3000);
  const one = await trainStatic({ trainIds: rows.slice(0, 2500), trainLabels: labels.slice(0, 2500), evalIds: rows.slice(2500), evalLabels: labels.slice(2500), init, args, threads: 1 });
  const oneLazy = await trainStatic({ trainIds: tokenRowsRange(lazy, 0, 2500), trainLabels: labels.slice(0, 2500), evalIds, evalLabels: labels.slice(2500), init, args, threads: 1 });
  assert.deepEqual(oneLazy.params.embedding, one.params.embedding);
  assert.deepEqual(oneLazy.params.weight, one.params.weight);
  assert.deepEqual(oneLazy.lossCurve, one.lossCurve);
  const two = await trainStatic({ trainIds: pickTokenRows(lazy, Array.from({ length: 2500 }, (_, i) => i)), trainLabels: labels.slice(0, 2500), evalIds, evalLabels: labels.slice(2500), init, args: { ...args, numTrainEpochs: 10 }, threads: 2 });
  assert.equal(two.steps, Math.ceil(2500 / 16) * 10);
  assert.ok(Number.isFinite(two.lossCurve.at(-1)!.loss));
});
