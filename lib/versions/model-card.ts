import type { Metrics } from "../training/types";

// The model card of an exported version (the top of its README.md): what it was trained on, with
// which arguments, how it scored next to the version that served before, its labels, calibration,
// description, aliases and the versions it came from. A pure function of a data object
// (model-card-data.ts reads it from the database), so that it is tested without one.

export interface ModelCardLineage {
  id: string;
  createdAt: string;
  description: string | null;
}

export interface ModelCardData {
  model: string;
  versionId: string;
  createdAt: string;
  description: string | null;
  labels: string[];
  /** the model's aliases that named this version when it was exported */
  aliases: string[];
  /** whether it was the serving version when it was exported */
  serving: boolean;
  /** the run that trained it (null: a version not made by a run) */
  run: {
    id: string;
    table: string | null;
    /** "label,text" */
    columns: string | null;
    finishedAt: string | null;
    rows: { train: number | null; test: number | null; skipped: number | null };
    /** the run request as stored (defaults filled in), without table, columns and model */
    arguments: Record<string, unknown>;
    /** the serving version's scores when the run started ("old"), and this version's ("new"), on the same test rows */
    metrics: { old: Metrics | null; new: Metrics | null };
    calibration: { temperature: number; rows: number } | null;
  } | null;
  /** the versions it continued from, its parent first */
  lineage: ModelCardLineage[];
}

const cell = (s: string) => s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
const pct = (x: number | null | undefined) => (typeof x === "number" && Number.isFinite(x) ? `${(x * 100).toFixed(2)} %` : "—");
const num = (x: number | null | undefined, digits = 4) => (typeof x === "number" && Number.isFinite(x) ? String(Number(x.toFixed(digits))) : "—");
const count = (x: number | null | undefined) => (typeof x === "number" ? x.toLocaleString("en") : "—");
const value = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

const METRIC_ROWS: [string, (m: Metrics) => string][] = [
  ["accuracy", (m) => pct(m.accuracy)],
  ["F1 (weighted)", (m) => pct(m.f1)],
  ["macro F1", (m) => pct(m.macro_f1)],
  ["precision (weighted)", (m) => pct(m.precision)],
  ["recall (weighted)", (m) => pct(m.recall)],
  ["eval loss", (m) => num(m.eval_loss)],
  ["expected calibration error", (m) => pct(m.ece)],
  ["test rows scored", (m) => count(m.samples)],
];

function metricsLines(old: Metrics | null, cur: Metrics | null): string[] {
  if (!cur) return ["No metrics were recorded for this version."];
  const lines = [
    old ? "Both scored on the same held-out test rows: **old** is the version that served when the run started, **new** is this version." : "Nothing served when the run started, so there is no old model to compare with.",
    "",
    old ? "| metric | old | new |" : "| metric | new |",
    old ? "| --- | ---: | ---: |" : "| --- | ---: |",
    ...METRIC_ROWS.map(([name, f]) => (old ? `| ${name} | ${f(old)} | ${f(cur)} |` : `| ${name} | ${f(cur)} |`)),
    "",
    "Per-class F1:",
    "",
    old ? "| label | old F1 | new F1 | support |" : "| label | F1 | support |",
    old ? "| --- | ---: | ---: | ---: |" : "| --- | ---: | ---: |",
  ];
  const labels = [...new Set([...Object.keys(cur.per_class ?? {}), ...Object.keys(old?.per_class ?? {})])];
  for (const l of labels) {
    const n = cur.per_class?.[l];
    const o = old?.per_class?.[l];
    lines.push(old ? `| ${cell(l)} | ${pct(o?.f1)} | ${pct(n?.f1)} | ${count(n?.support ?? o?.support)} |` : `| ${cell(l)} | ${pct(n?.f1)} | ${count(n?.support)} |`);
  }
  return lines;
}

/** The model card's Markdown lines (a "## Model card" section and its subsections). */
export function renderModelCard(d: ModelCardData): string[] {
  const run = d.run;
  const lines = [
    "## Model card",
    "",
    `| | |`,
    `| --- | --- |`,
    `| model | ${cell(d.model)} |`,
    `| version | \`${d.versionId}\` |`,
    `| created | ${d.createdAt} |`,
    `| serving when exported | ${d.serving ? "yes" : "no"} |`,
    `| aliases when exported | ${d.aliases.length ? d.aliases.map((a) => `\`${a}\``).join(", ") : "none"} |`,
    `| labels | ${d.labels.map(cell).join(", ")} |`,
    "",
    "### Description",
    "",
    d.description?.trim() ? d.description.trim() : "No description was given.",
    "",
    "### Training data",
    "",
  ];
  if (!run) {
    lines.push("This version was not made by a training run of this product.", "");
  } else {
    lines.push(
      `Trained by run \`${run.id}\`${run.finishedAt ? `, finished ${run.finishedAt}` : ""}.`,
      "",
      "| | |",
      "| --- | --- |",
      `| table | ${run.table ? `\`${cell(run.table)}\`` : "—"} |`,
      `| columns (label, text) | ${run.columns ? `\`${cell(run.columns)}\`` : "—"} |`,
      `| training rows | ${count(run.rows.train)} |`,
      `| test rows | ${count(run.rows.test)} |`,
      `| skipped rows | ${count(run.rows.skipped)} |`,
      "",
      "### Training arguments",
      "",
    );
    const args = Object.entries(run.arguments).sort(([a], [b]) => a.localeCompare(b));
    if (args.length) lines.push("| argument | value |", "| --- | --- |", ...args.map(([k, v]) => `| ${cell(k)} | \`${cell(value(v))}\` |`));
    else lines.push("None recorded.");
    lines.push("", "### Metrics", "", ...metricsLines(run.metrics.old, run.metrics.new), "", "### Calibration", "");
    lines.push(
      !run.calibration
        ? "Not recorded for this version."
        : run.calibration.rows > 0
          ? `The scores are softmax(logits / T) with temperature T = ${num(run.calibration.temperature)}, fitted on ${count(run.calibration.rows)} training rows held out for it (folded into the graph's last layer).`
          : "No temperature was fitted (too few training rows): the scores are the raw softmax.",
      "",
    );
  }
  lines.push("### Lineage", "");
  if (d.lineage.length === 0) lines.push("A first version: it continued from no earlier version.");
  else {
    lines.push("The versions it continued from, its parent first:", "", "| version | created | description |", "| --- | --- | --- |");
    lines.push(...d.lineage.map((v) => `| \`${v.id}\` | ${v.createdAt} | ${v.description ? cell(v.description) : "—"} |`));
  }
  lines.push("");
  return lines;
}
