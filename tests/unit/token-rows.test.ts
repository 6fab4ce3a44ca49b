import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedTokenBuffer, sharedTokenViews } from "../../lib/training/token-rows";
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
