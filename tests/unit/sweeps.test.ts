import assert from "node:assert/strict";
import { test } from "node:test";
import { gridPoints, gridSize, randomPoints } from "../../lib/sweeps/points";
import { rankRuns } from "../../lib/sweeps/rank";
import { parseRandomSpec, parseValueList } from "../../lib/sweeps/spec";
import type { Metrics } from "../../lib/training/types";

test("gridPoints: the cartesian product, first argument slowest, each value named by its place", () => {
  const grid = { learning_rate: [0.01, 0.1, 1], num_train_epochs: [1, 2] };
  const points = gridPoints(grid);
  assert.equal(points.length, 6);
  assert.equal(gridSize(grid), 6);
  assert.deepEqual(points.map((p) => p.args), [
    { learning_rate: 0.01, num_train_epochs: 1 },
    { learning_rate: 0.01, num_train_epochs: 2 },
    { learning_rate: 0.1, num_train_epochs: 1 },
    { learning_rate: 0.1, num_train_epochs: 2 },
    { learning_rate: 1, num_train_epochs: 1 },
    { learning_rate: 1, num_train_epochs: 2 },
  ]);
  assert.deepEqual(points[5]!.source, { learning_rate: "grid.learning_rate[2]", num_train_epochs: "grid.num_train_epochs[1]" });
  assert.equal(points[5]!.label, "point 6 (learning_rate=1, num_train_epochs=2)");
});

test("randomPoints: the same seed gives the same draws, another seed others; ranges, log ranges, integers and choices hold", () => {
  const spec = (seed: number) => {
    const r = parseRandomSpec({ learning_rate: { min: 0.001, max: 0.1, log: true }, num_train_epochs: { min: 1, max: 4, integer: true }, optim: ["adamw", "sgd"], trials: 20, seed });
    assert.ok(r.ok, JSON.stringify(r));
    return r.spec;
  };
  const a = randomPoints(spec(7));
  assert.deepEqual(randomPoints(spec(7)), a);
  assert.notDeepEqual(randomPoints(spec(8)).map((p) => p.args), a.map((p) => p.args));
  assert.equal(a.length, 20);
  for (const p of a) {
    assert.ok((p.args.learning_rate as number) >= 0.001 && (p.args.learning_rate as number) <= 0.1);
    assert.ok(Number.isInteger(p.args.num_train_epochs) && (p.args.num_train_epochs as number) >= 1 && (p.args.num_train_epochs as number) <= 4);
    assert.ok(["adamw", "sgd"].includes(p.args.optim as string));
  }
  // a log range spreads over the decades: some draws below 0.01
  assert.ok(a.some((p) => (p.args.learning_rate as number) < 0.01));
});

test("parseRandomSpec: bad ranges, trials and seeds are named; a missing seed is drawn", () => {
  const bad = parseRandomSpec({ learning_rate: { min: 0.1, max: 0.01 }, weight_decay: { min: 0, max: 1, log: true }, optim: [], trials: 51, seed: -1 });
  assert.ok(!bad.ok);
  assert.deepEqual(bad.issues.map((i) => i.path).sort(), ["random.learning_rate.max", "random.optim", "random.seed", "random.trials", "random.weight_decay.min"]);
  const drawn = parseRandomSpec({ learning_rate: [0.1], trials: 1 });
  assert.ok(drawn.ok && Number.isInteger(drawn.spec.seed));
});

test("parseValueList: numbers, booleans and text from a comma-separated line", () => {
  assert.deepEqual(parseValueList(" 0.01, 1e-3 ,2,, true, linear "), [0.01, 0.001, 2, true, "linear"]);
});

test("rankRuns: by the metric, ties by macro-F1 then accuracy; runs without scores last in queue order", () => {
  const m = (accuracy: number, macro_f1: number, f1 = 0) => ({ accuracy, macro_f1, f1 }) as Metrics;
  const at = (s: number) => new Date(2026, 0, 1, 0, 0, s);
  const runs = [
    { id: "a", createdAt: at(1), metricsNew: m(0.9, 0.8) },
    { id: "b", createdAt: at(2), metricsNew: null },
    { id: "c", createdAt: at(3), metricsNew: m(0.95, 0.8) },
    { id: "d", createdAt: at(0), metricsNew: m(0.5, 0.85) },
    { id: "e", createdAt: at(-1), metricsNew: null },
  ];
  assert.deepEqual(rankRuns(runs).map((r) => [r.id, r.rank]), [["d", 1], ["c", 2], ["a", 3], ["e", null], ["b", null]]);
  assert.deepEqual(rankRuns(runs, "accuracy").map((r) => r.id), ["c", "a", "d", "e", "b"]);
  assert.equal(rankRuns(runs, "accuracy")[0]!.score, 0.95);
});
