import { test } from "node:test";
import assert from "node:assert/strict";
import { evenlySpaced } from "../../lib/training/even-sample";

// The sample of a table's rows that the starter estimates the texts' median length and ids' size from.

test("evenlySpaced: all indices up to the count; past it, exactly `count` of them spread over the whole range", () => {
  assert.deepEqual(evenlySpaced(0, 5), []);
  assert.deepEqual(evenlySpaced(3, 5), [0, 1, 2]);
  assert.deepEqual(evenlySpaced(10, 4), [0, 2, 5, 7]);
  // 19,999 rows, 10,000 asked: 10,000 distinct rows from both halves (not the first 10,000)
  const s = evenlySpaced(19_999, 10_000);
  assert.equal(s.length, 10_000);
  assert.equal(new Set(s).size, 10_000);
  assert.ok(s.at(-1)! >= 19_997 && s.every((i, k) => k === 0 || i > s[k - 1]));
});
