import { test } from "node:test";
import assert from "node:assert/strict";
import { stratifiedSplit } from "../../lib/training/split";

type Row = { id: number; label: string };
function rows(): Row[] {
  const out: Row[] = [];
  let id = 0;
  for (let i = 0; i < 50; i++) out.push({ id: id++, label: "a" });
  for (let i = 0; i < 30; i++) out.push({ id: id++, label: "b" });
  for (let i = 0; i < 3; i++) out.push({ id: id++, label: "c" });
  out.push({ id: id++, label: "d" }, { id: id++, label: "d" });
  out.push({ id: id++, label: "e" });
  return out;
}
const count = (rs: Row[], l: string) => rs.filter((r) => r.label === l).length;

test("each label is split by p_of_train, small labels keep a row on both sides", () => {
  const { train, test } = stratifiedSplit(rows(), (r) => r.label, 0.8, 42);
  assert.equal(count(train, "a"), 40);
  assert.equal(count(test, "a"), 10);
  assert.equal(count(train, "b"), 24);
  assert.equal(count(test, "b"), 6);
  // round(3·0.8) = 2
  assert.equal(count(train, "c"), 2);
  assert.equal(count(test, "c"), 1);
  // round(2·0.8) = 2 would leave no test row: clamped to 1/1
  assert.equal(count(train, "d"), 1);
  assert.equal(count(test, "d"), 1);
  // a single row cannot be on both sides: round(0.8) = 1 → train
  assert.equal(count(train, "e"), 1);
  assert.equal(count(test, "e"), 0);
});

test("disjoint and complete", () => {
  const all = rows();
  const { train, test } = stratifiedSplit(all, (r) => r.label, 0.7, 7);
  const ids = [...train, ...test].map((r) => r.id).sort((a, b) => a - b);
  assert.deepEqual(ids, all.map((r) => r.id));
  const trainIds = new Set(train.map((r) => r.id));
  assert.ok(test.every((r) => !trainIds.has(r.id)));
});

test("deterministic per seed, different across seeds, and shuffled", () => {
  const a = stratifiedSplit(rows(), (r) => r.label, 0.8, 42);
  const b = stratifiedSplit(rows(), (r) => r.label, 0.8, 42);
  const c = stratifiedSplit(rows(), (r) => r.label, 0.8, 43);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.train.map((r) => r.id), c.train.map((r) => r.id));
  // not grouped by label: the train list must not be sorted by label
  const labels = a.train.map((r) => r.label);
  assert.notDeepEqual(labels, [...labels].sort());
});

test("rejects p outside [0, 1]", () => {
  assert.throws(() => stratifiedSplit(rows(), (r) => r.label, 1.5, 1), RangeError);
});
