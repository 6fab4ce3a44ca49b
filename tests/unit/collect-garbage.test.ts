import { test } from "node:test";
import assert from "node:assert/strict";
import v8 from "node:v8";
import { collectGarbageIfGrown } from "../../lib/process/collect-garbage";

test("collectGarbageIfGrown: collects once the heap grew by the amount, not before", () => {
  collectGarbageIfGrown(0); // a collection now: the heap's floor
  assert.equal(collectGarbageIfGrown(64 * 2 ** 20), false, "nothing grew");
  let junk: string[] | null = [];
  for (let i = 0; i < 400_000; i++) junk.push(`text number ${i} `.repeat(4));
  junk = null;
  const before = v8.getHeapStatistics().used_heap_size;
  assert.equal(collectGarbageIfGrown(16 * 2 ** 20), true);
  assert.ok(v8.getHeapStatistics().used_heap_size < before - 16 * 2 ** 20, "the dead strings were collected");
  assert.equal(collectGarbageIfGrown(16 * 2 ** 20), false);
});
