import { test } from "node:test";
import assert from "node:assert/strict";
import { ProbabilityRows } from "../../lib/training/probability-rows";
import { computeMetrics } from "../../lib/training/metrics";
import { metricsFor } from "../../lib/runs/evaluate";
import { RowSet, RowTable } from "../../lib/runs/row-table";
import type { TableKey } from "../../lib/rows/table-key";

// Class probabilities of many rows in one flat array (lib/training/probability-rows.ts): what the
// run's evaluation, metrics and saved test rows pass along instead of an array per row.

test("ProbabilityRows: rows, values, top label (first on ties) and slices read the flat array", () => {
  const p = new ProbabilityRows(Float32Array.from([0.1, 0.7, 0.2, 0.5, 0.5, 0, 0, 0.25, 0.75]), 3);
  assert.equal(p.length, 3);
  assert.deepEqual(Array.from(p.row(1)), [0.5, 0.5, 0]);
  assert.equal(p.at(2, 2), 0.75);
  assert.deepEqual([0, 1, 2].map((i) => p.top(i)), [1, 0, 2]);
  const s = p.slice(1, 3);
  assert.equal(s.length, 2);
  assert.equal(s.top(1), 2);
  s.data[0] = 0.9;
  assert.equal(p.at(1, 0), Math.fround(0.9), "a slice shares the table's memory");
});

test("ProbabilityRows: rows given one by one keep double precision unless all are Float32Arrays; bad shapes are refused", () => {
  assert.ok(ProbabilityRows.fromRows([[0.1, 0.9]]).data instanceof Float64Array);
  assert.ok(ProbabilityRows.fromRows([Float32Array.from([0.1, 0.9])]).data instanceof Float32Array);
  assert.equal(ProbabilityRows.fromRows([], 4).numLabels, 4);
  assert.throws(() => ProbabilityRows.fromRows([[0.5, 0.5], [1]]), /row 1 has 1 values, not 2/);
  assert.throws(() => new ProbabilityRows(new Float32Array(5), 2), /5 values are not rows of 2/);
  assert.throws(() => computeMetrics([0], ProbabilityRows.fromRows([[1, 0, 0]]), ["a", "b"]), /rows of 3 probabilities for 2 labels/);
});

test("metricsFor: a model that knows only some of the rows' labels is scored over all of them, its probabilities in their places", () => {
  const key: TableKey = { name: "id", columns: [{ name: "id", type: "text" }], scope: "t\u001f" };
  const table = RowTable.of(key, [
    { key: "1", label: "b", text: "x" },
    { key: "2", label: "c", text: "y" },
    { key: "3", label: "a", text: "z" },
  ]);
  // the model's labels: c, b (not in sorted order, and no "a")
  const probs = new ProbabilityRows(Float32Array.from([0.2, 0.8, 0.9, 0.1, 0.6, 0.4]), 2);
  const m = metricsFor(RowSet.all(table), probs, ["c", "b"]);
  assert.deepEqual(m.confusion_matrix.labels, ["a", "b", "c"]);
  // row 1 (b): b 0.8 → right; row 2 (c): c 0.9 → right; row 3 (a): c 0.6 → wrong, p(a) = 0
  assert.deepEqual(m.confusion_matrix.matrix, [[0, 0, 1], [0, 1, 0], [0, 0, 1]]);
  assert.equal(m.accuracy, 2 / 3);
  const same = computeMetrics([1, 2, 0], [[0, 0.8, 0.2], [0, 0.1, 0.9], [0, 0.4, 0.6]], ["a", "b", "c"]);
  assert.ok(Math.abs(m.eval_loss - same.eval_loss) < 1e-6, `${m.eval_loss} vs ${same.eval_loss}`);
});
