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

test("collectGarbageIfGrown: with a big live heap, waits for a quarter of it in garbage", () => {
  const live: string[] = [];
  for (let i = 0; i < 1_000_000; i++) live.push(`a live row ${i} `.repeat(4)); // about 100 MiB that stays
  collectGarbageIfGrown(0);
  const floor = v8.getHeapStatistics().used_heap_size;
  assert.ok(floor / 4 > 16 * 2 ** 20, `a live heap of ${floor} bytes`);
  let junk: string[] | null = [];
  for (let i = 0; i < 200_000; i++) junk.push(`dead text ${i} `.repeat(4)); // about 20 MiB: more than 16 MiB, less than a quarter
  const grown = v8.getHeapStatistics().used_heap_size - floor;
  assert.ok(grown > 16 * 2 ** 20 && grown < floor / 4, `grew by ${grown} bytes`);
  assert.equal(collectGarbageIfGrown(16 * 2 ** 20), false, "less than a quarter of the live heap grew");
  for (let i = 0; i < 400_000; i++) junk.push(`more dead text ${i} `.repeat(4));
  junk = null;
  assert.equal(collectGarbageIfGrown(16 * 2 ** 20), true, "more than a quarter grew");
  assert.equal(live.length, 1_000_000);
});

test("collectGarbageIfGrown: dead array buffers (outside the JS heap) count as garbage too", async () => {
  collectGarbageIfGrown(0);
  let dead: SharedArrayBuffer[] | null = Array.from({ length: 40 }, () => new SharedArrayBuffer(2 ** 20));
  for (const b of dead) new Int32Array(b).fill(1); // touched: resident
  assert.ok(dead.length === 40);
  dead = null;
  const before = process.memoryUsage().arrayBuffers;
  assert.equal(collectGarbageIfGrown(32 * 2 ** 20), true, "40 MiB of dead buffers is more than 32 MiB");
  await new Promise((resolve) => setTimeout(resolve, 200)); // backing stores may be released a moment later
  assert.ok(process.memoryUsage().arrayBuffers < before - 32 * 2 ** 20, `and they were freed: ${before} → ${process.memoryUsage().arrayBuffers} bytes`);
});

test("collectGarbageIfGrown: live array buffers (a big table's columns) do not make it wait for more garbage", () => {
  const live = Array.from({ length: 4 }, () => new ArrayBuffer(100 * 2 ** 20)); // 400 MiB that stays (never touched: not resident)
  collectGarbageIfGrown(0);
  let dead: ArrayBuffer[] | null = Array.from({ length: 8 }, () => new ArrayBuffer(10 * 2 ** 20));
  assert.equal(dead.length, 8);
  dead = null;
  assert.equal(collectGarbageIfGrown(64 * 2 ** 20), true, "80 MiB of dead buffers is more than 64 MiB, whatever the live buffers");
  assert.equal(live.length, 4);
});
