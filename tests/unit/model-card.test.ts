import assert from "node:assert/strict";
import { test } from "node:test";
import type { Metrics } from "../../lib/training/types";
import { renderModelCard, type ModelCardData } from "../../lib/versions/model-card";
import { aliasName, setAliasSchema, versionPatchSchema } from "../../lib/validations/registry";
import { predictSchema, versionChoice } from "../../lib/validations/predict";

// The model card as a pure function of its data, and the registry's request schemas.

function metrics(accuracy: number, f1: Record<string, number>): Metrics {
  const per_class = Object.fromEntries(Object.entries(f1).map(([l, f]) => [l, { precision: f, recall: f, f1: f, support: 50 }]));
  return { accuracy, precision: accuracy, recall: accuracy, f1: accuracy, macro_precision: accuracy, macro_recall: accuracy, macro_f1: accuracy - 0.01, per_class, confusion_matrix: { labels: Object.keys(f1), matrix: [] }, eval_loss: 0.31234, samples: 100, ece: 0.021 };
}

const data: ModelCardData = {
  model: "spam",
  versionId: "v2id",
  createdAt: "2026-11-30T10:00:00.000Z",
  description: "Retrained on | November's mail",
  labels: ["ham", "spam"],
  aliases: ["challenger", "staging"],
  serving: false,
  run: {
    id: "run2",
    table: "demo_email",
    columns: "label,text",
    finishedAt: "2026-11-30T10:00:00.000Z",
    rows: { train: 480, test: 120, skipped: 3 },
    arguments: { seed: 5, num_train_epochs: 2, learning_rate: 0.5 },
    metrics: { old: metrics(0.9, { ham: 0.92, spam: 0.81 }), new: metrics(0.95, { ham: 0.96, spam: 0.9 }) },
    calibration: { temperature: 1.73456, rows: 48 },
  },
  lineage: [
    { id: "v1id", createdAt: "2026-11-29T10:00:00.000Z", description: "first" },
    { id: "v0id", createdAt: "2026-11-28T10:00:00.000Z", description: null },
  ],
};

test("the model card names the data, rows, arguments, metrics old and new, labels, calibration, description, aliases and lineage", () => {
  const md = renderModelCard(data).join("\n");
  assert.match(md, /^## Model card$/m);
  assert.match(md, /\| table \| `demo_email` \|/);
  assert.match(md, /\| columns \(label, text\) \| `label,text` \|/);
  assert.match(md, /\| training rows \| 480 \|/);
  assert.match(md, /\| test rows \| 120 \|/);
  assert.match(md, /\| skipped rows \| 3 \|/);
  assert.match(md, /\| learning_rate \| `0.5` \|/);
  assert.match(md, /\| num_train_epochs \| `2` \|/);
  assert.match(md, /\| metric \| old \| new \|/);
  assert.match(md, /\| accuracy \| 90.00 % \| 95.00 % \|/);
  assert.match(md, /\| spam \| 81.00 % \| 90.00 % \| 50 \|/, "per-class F1, old and new");
  assert.match(md, /\| eval loss \| 0.3123 \| 0.3123 \|/);
  assert.match(md, /\| labels \| ham, spam \|/);
  assert.match(md, /temperature T = 1.7346, fitted on 48 training rows/);
  assert.match(md, /Retrained on \| November's mail/, "the description as written");
  assert.match(md, /\| aliases when exported \| `challenger`, `staging` \|/);
  assert.match(md, /\| serving when exported \| no \|/);
  assert.match(md, /\| `v1id` \| 2026-11-29T10:00:00.000Z \| first \|\n\| `v0id` \| 2026-11-28T10:00:00.000Z \| — \|/, "the parent chain, parent first");
});

test("a first version with nothing serving before, no calibration slice, no description or alias", () => {
  const md = renderModelCard({
    ...data,
    description: null,
    aliases: [],
    serving: true,
    lineage: [],
    run: { ...data.run!, metrics: { old: null, new: data.run!.metrics.new }, calibration: { temperature: 1, rows: 0 } },
  }).join("\n");
  assert.match(md, /No description was given/);
  assert.match(md, /\| aliases when exported \| none \|/);
  assert.match(md, /Nothing served when the run started/);
  assert.match(md, /\| metric \| new \|\n\| --- \| ---: \|\n\| accuracy \| 95.00 % \|/);
  assert.match(md, /No temperature was fitted/);
  assert.match(md, /A first version/);
  assert.match(renderModelCard({ ...data, run: null }).join("\n"), /not made by a training run/);
});

test("alias names: 1–40 lowercase letters, digits, - and _; \"serving\" is reserved", () => {
  for (const ok of ["challenger", "a", "prod-2_b", "x".repeat(40)]) assert.ok(aliasName.safeParse(ok).success, ok);
  for (const bad of ["", "Challenger", "has space", "x".repeat(41), "serving", "ü", 3]) assert.ok(!aliasName.safeParse(bad).success, String(bad));
  const r = setAliasSchema.safeParse({ alias: "serving", versionId: "v" });
  assert.ok(!r.success && r.error.issues[0].path[0] === "alias");
  assert.ok(!setAliasSchema.safeParse({ alias: "a", versionId: "v", extra: 1 }).success, "unknown fields are refused");
  assert.ok(versionPatchSchema.safeParse({ description: "x".repeat(2000) }).success);
  assert.ok(!versionPatchSchema.safeParse({ description: "x".repeat(2001) }).success);
});

test("predict: an alias or a version id, not both; the alias \"serving\" is the serving version", () => {
  const both = predictSchema.safeParse({ inputs: "x", alias: "a", versionId: "v" });
  assert.ok(!both.success && both.error.issues.some((i) => i.path[0] === "alias"));
  assert.deepEqual(versionChoice({ alias: "serving" }), {});
  assert.deepEqual(versionChoice({ alias: "challenger" }), { alias: "challenger" });
  assert.deepEqual(versionChoice({ versionId: "v1" }), { versionId: "v1" });
  assert.ok(!predictSchema.safeParse({ inputs: "x", alias: "Bad Alias" }).success);
});
