import assert from "node:assert/strict";
import { test } from "node:test";
import { argumentRows, COMPARE_MAX, parseCompareIds, splitIds } from "../../lib/dashboard/run-compare";
import { AppError } from "../../lib/errors";

test("argumentRows lines up every argument in the order first seen and marks those that differ", () => {
  const rows = argumentRows([
    { model: "default", table: "demo_email", learning_rate: 0.01, num_train_epochs: 2, seed: 1 },
    { model: "default", table: "demo_email", learning_rate: 0.05, num_train_epochs: 2, warmup_ratio: 0.1 },
  ]);
  assert.deepEqual(
    rows.map((r) => [r.name, r.values, r.differs]),
    [
      ["model", ["default", "default"], false],
      ["table", ["demo_email", "demo_email"], false],
      ["learning_rate", [0.01, 0.05], true],
      ["num_train_epochs", [2, 2], false],
      // set by one run only: the other's is null (its default) and counts as different
      ["seed", [1, null], true],
      ["warmup_ratio", [null, 0.1], true],
    ],
  );
});

test("argumentRows compares structured values by content, not by key order; three runs differ when any one does", () => {
  const rows = argumentRows([
    { columns: { label: "label", text: "text" }, tags: ["a", "b"], p: 1 },
    { columns: { text: "text", label: "label" }, tags: ["a", "b"], p: 1 },
    { columns: { label: "label", text: "text" }, tags: ["b", "a"], p: 2 },
  ]);
  assert.deepEqual(
    rows.map((r) => [r.name, r.differs]),
    [
      ["columns", false],
      ["tags", true],
      ["p", true],
    ],
  );
  // an explicit undefined is the same as not set
  assert.deepEqual(argumentRows([{ a: undefined }, {}]).map((r) => [r.values, r.differs]), [[[null, null], false]]);
  assert.deepEqual(argumentRows([{}, {}]), []);
});

test("ids: comma-separated, trimmed, duplicates and blanks dropped; fewer than two or too many is a 400 naming ids", () => {
  assert.deepEqual(splitIds(" a, b,,a ,c "), ["a", "b", "c"]);
  assert.deepEqual(splitIds(["a,b", "c"]), ["a", "b", "c"]);
  assert.deepEqual(splitIds(undefined), []);
  assert.deepEqual(parseCompareIds("x,y"), ["x", "y"]);
  for (const raw of [null, "", "only", "same,same", Array.from({ length: COMPARE_MAX + 1 }, (_, i) => `r${i}`).join(",")]) {
    assert.throws(
      () => parseCompareIds(raw),
      (e: unknown) => e instanceof AppError && e.status === 400 && e.issues?.[0]?.path === "ids",
      String(raw),
    );
  }
  assert.throws(() => parseCompareIds("only"), /names only one run \(only\)/);
});
