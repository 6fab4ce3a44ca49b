import { test } from "node:test";
import assert from "node:assert/strict";
import { hash64, KeyHashes, KeyHashSet } from "../../lib/rows/key-hash";
import { splitIndices } from "../../lib/rows/split-rule";
import { compareLabels, labelChange } from "../../lib/runs/comparison";
import { fairSplit } from "../../lib/runs/fair-split";
import { RowTable } from "../../lib/runs/row-table";
import type { TableKey } from "../../lib/rows/table-key";

const keys = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `t\u001f${from + i}`);
const PK: TableKey = { name: "id", columns: [{ name: "id", type: "integer" }], scope: "public.t\u001f" };
const rowsOf = (n: number, from = 0): RowTable => RowTable.of(PK, Array.from({ length: n }, (_, i) => ({ key: String(from + i), label: (from + i) % 3 === 0 ? "b" : "a", text: `text ${from + i}` })));

test("hash64 is deterministic, spreads keys, and differs across near-identical keys", () => {
  assert.deepEqual(hash64("17"), hash64("17"));
  assert.notDeepEqual(hash64("17"), hash64("71"));
  const seen = new Set(keys(100_000).map((k) => { const h = hash64(k); return `${h.hi}:${h.lo}`; }));
  assert.equal(seen.size, 100_000, "no collisions among 100,000 keys");
  const h = KeyHashes.of(keys(20_000));
  let below = 0;
  for (let i = 0; i < h.length; i++) if (h.unit(i) < 0.8) below++;
  assert.ok(Math.abs(below / h.length - 0.8) < 0.02, `share under 0.8: ${below / h.length}`);
});

test("KeyHashSet: membership, union with a base set, bytes round trip", () => {
  const h = KeyHashes.of(keys(1000));
  const evens = KeyHashSet.from(h, Array.from({ length: 500 }, (_, i) => 2 * i));
  assert.equal(evens.size, 500);
  for (let i = 0; i < 1000; i++) assert.equal(evens.has(h, i), i % 2 === 0, `key ${i}`);
  const withOdd = KeyHashSet.from(h, [1, 3, 2], evens);
  assert.equal(withOdd.size, 502, "duplicates are dropped");
  const back = KeyHashSet.adopt(Uint8Array.from(Buffer.concat([...withOdd.parts(64)])).buffer); // parts of 8 hashes
  assert.equal(back.size, 502);
  for (let i = 0; i < 10; i++) assert.equal(back.has(h, i), i % 2 === 0 || i === 1 || i === 3);
  assert.throws(() => KeyHashSet.adopt(new ArrayBuffer(7)), /64-bit/);
});

test("stable split: a test row stays a test row as the table grows, whatever the seed", () => {
  const small = KeyHashes.of(keys(1000));
  const grown = KeyHashes.of(keys(3000));
  const labelOf = (i: number) => (i % 2 ? "a" : "b");
  const a = splitIndices("stable", labelOf, 1000, small, 0.8, 1);
  const b = splitIndices("stable", labelOf, 3000, grown, 0.8, 99);
  const testB = new Set(b.test);
  for (const i of a.test) assert.ok(testB.has(i), `row ${i} stays a test row`);
  for (const i of a.train) assert.ok(!testB.has(i), `row ${i} stays a training row`);
  // the random split moves rows with the seed; positional takes the first rows
  const r1 = new Set(splitIndices("random", labelOf, 1000, small, 0.8, 1).test);
  const r2 = splitIndices("random", labelOf, 1000, small, 0.8, 2).test;
  assert.ok(r2.filter((i) => !r1.has(i)).length > 100);
  const positional = splitIndices("positional", labelOf, 10, KeyHashes.of(keys(10)), 0.7, 1);
  assert.deepEqual({ train: [...positional.train], test: [...positional.test] }, { train: [0, 1, 2, 3, 4, 5, 6], test: [7, 8, 9] });
});

test("fair split: test rows the serving version trained on are set aside; rows new trains on unseen training rows only", () => {
  const first = fairSplit({ rows: rowsOf(1000), kind: "stable", rowsSelection: "all", pOfTrain: 0.8, seed: 1, servingRows: null, serving: false });
  assert.equal(first.split.testRowsSeenByOld, 0);
  assert.equal(first.split.newRows, 1000);
  const v1 = first.versionRows(null);
  assert.equal(v1.trained.size, first.train.length);
  assert.equal(v1.seen.size, 1000);

  // the table grows by 500 rows: a stable split sees none of v1's training rows among its test rows
  const grown = rowsOf(1500);
  const stable = fairSplit({ rows: grown, kind: "stable", rowsSelection: "all", pOfTrain: 0.8, seed: 2, servingRows: v1, serving: true });
  assert.equal(stable.split.testRowsSeenByOld, 0);
  assert.equal(stable.split.newRows, 500);
  assert.equal(stable.split.scoredRows, stable.split.testRows);

  // a random split with another seed: about 80 % of its test rows were v1's training rows; they are set aside
  const random = fairSplit({ rows: grown, kind: "random", rowsSelection: "all", pOfTrain: 0.8, seed: 14, servingRows: v1, serving: true });
  const seen = random.split.testRowsSeenByOld!;
  assert.ok(seen > 100, `seen ${seen}`);
  assert.equal(random.split.scoredRows, random.split.testRows - seen);
  assert.equal(random.test.length, random.split.scoredRows);
  const v1Trained = new Set(first.train.keys());
  assert.ok(random.test.keys().every((k) => !v1Trained.has(k)), "no scored row was a training row of v1");

  // rows "new": only the new rows' training share trains; the record keeps v1's rows
  const fresh = fairSplit({ rows: grown, kind: "stable", rowsSelection: "new", pOfTrain: 0.8, seed: 2, servingRows: v1, serving: true });
  assert.ok(fresh.train.keys().every((k) => Number(k) >= 1000), "trains on rows added since");
  assert.ok(fresh.train.length > 300 && fresh.train.length < 500, `${fresh.train.length}`);
  const v2 = fresh.versionRows(v1);
  assert.equal(v2.trained.size, v1.trained.size + fresh.train.length);
  assert.equal(v2.seen.size, 1500);

  // nothing new: a clear failure
  assert.throws(() => fairSplit({ rows: rowsOf(1000), kind: "stable", rowsSelection: "new", pOfTrain: 0.8, seed: 2, servingRows: v1, serving: true }), /No new rows to train on/);
  // a serving version without a record: unknown, and rows "new" is refused
  const unknown = fairSplit({ rows: grown, kind: "stable", rowsSelection: "all", pOfTrain: 0.8, seed: 2, servingRows: null, serving: true });
  assert.equal(unknown.split.testRowsSeenByOld, null);
  assert.equal(unknown.split.newRows, null);
  assert.throws(() => fairSplit({ rows: grown, kind: "stable", rowsSelection: "new", pOfTrain: 0.8, seed: 2, servingRows: null, serving: true }), /no record/);
});

test("label comparison: same labels compare; a change names what is added and removed", () => {
  assert.deepEqual(compareLabels(null, ["a", "b"]), null);
  assert.deepEqual(compareLabels(["b", "a"], ["a", "b"]), { comparable: true, reason: null, labelChange: null });
  assert.deepEqual(labelChange(["ham", "spam"], ["account", "billing", "technical"]), { added: ["account", "billing", "technical"], removed: ["ham", "spam"] });
  const none = compareLabels(["ham", "spam"], ["account", "billing", "technical"])!;
  assert.equal(none.comparable, false);
  assert.match(none.reason!, /not evaluated/);
  const some = compareLabels(["a", "b"], ["a", "b", "c"])!;
  assert.equal(some.comparable, false);
  assert.deepEqual(some.labelChange, { added: ["c"], removed: [] });
  assert.match(some.reason!, /adds "c"/);
});
