import type { PrismaClient } from "../db/generated/client";
import { notFound } from "../errors";
import type { RunView } from "../runs/types";
import { getRunView } from "../runs/web/views";
import type { LossPoint, Metrics } from "../training/types";
import { toCsv, type CsvValue } from "./csv";

// A run's scores as downloads (GET /api/runs/:id/metrics.json and metrics.csv): the old and the new
// model's metrics, their per-class scores, and the loss curve.

/** A loss-curve point as downloaded; the learning rate where the run recorded one. */
export interface LossRow {
  step: number;
  epoch: number;
  loss: number | null;
  evalLoss: number | null;
  learningRate: number | null;
}

/** GET /api/runs/:id/metrics.json */
export interface RunMetricsDownload {
  run: { id: string; model: string; status: RunView["status"]; table: string; createdAt: string; finishedAt: string | null };
  /** as stored: scores, per_class, confusion_matrix… (null: that model was not evaluated) */
  metrics: { old: Metrics | null; new: Metrics | null };
  lossCurve: LossRow[];
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

function lossRow(p: LossPoint): LossRow {
  return { step: p.step, epoch: p.epoch, loss: num(p.loss), evalLoss: num(p.evalLoss), learningRate: num(p.lr) };
}

export function runMetricsDownload(run: RunView): RunMetricsDownload {
  return {
    run: {
      id: run.id,
      model: run.model,
      status: run.status,
      table: String(run.request.table ?? ""),
      createdAt: run.createdAt,
      finishedAt: run.finishedAt,
    },
    metrics: run.metrics,
    lossCurve: (run.lossCurve ?? []).map(lossRow),
  };
}

/** The CSV's columns: one value per record, in long form so that every part fits one table. */
export const METRICS_CSV_HEADER = ["section", "model", "label", "step", "epoch", "metric", "value"] as const;

const LOSS_METRICS: [keyof LossRow, string][] = [
  ["loss", "loss"],
  ["evalLoss", "eval_loss"],
  ["learningRate", "learning_rate"],
];

/**
 * metrics.csv: `metrics` records (model old/new, each numeric score: accuracy, f1, macro_f1,
 * eval_loss, samples…), `per_class` records (model, label, precision/recall/f1/support) and
 * `loss_curve` records (step, epoch, loss/eval_loss/learning_rate where present).
 */
export function runMetricsCsv(run: RunView): string {
  const rows: CsvValue[][] = [[...METRICS_CSV_HEADER]];
  for (const side of ["old", "new"] as const) {
    const m = run.metrics[side];
    if (!m) continue;
    for (const [key, value] of Object.entries(m)) {
      if (num(value) !== null) rows.push(["metrics", side, "", "", "", key, value as number]);
    }
  }
  for (const side of ["old", "new"] as const) {
    for (const [label, scores] of Object.entries(run.metrics[side]?.per_class ?? {})) {
      for (const key of ["precision", "recall", "f1", "support"] as const) rows.push(["per_class", side, label, "", "", key, scores[key]]);
    }
  }
  for (const p of runMetricsDownload(run).lossCurve) {
    for (const [key, name] of LOSS_METRICS) {
      if (p[key] !== null) rows.push(["loss_curve", "new", "", p.step, p.epoch, name, p[key]]);
    }
  }
  return toCsv(rows);
}

/** The download's file name: metrics-<run id>.<ext> (ids are letters and digits). */
export function metricsFilename(runId: string, ext: "csv" | "json"): string {
  return `metrics-${runId.replace(/[^\w.-]/g, "_")}.${ext}`;
}

/**
 * The HTTP answer of GET /api/runs/:id/metrics.<ext>: the file as an attachment named by the run's
 * id; 404 for an unknown run. A web-standard Response, so this module stays free of Next.js.
 */
export async function runMetricsResponse(db: PrismaClient, id: string, ext: "csv" | "json"): Promise<Response> {
  const run = await getRunView(db, id);
  if (!run) throw notFound(`No run has id "${id}"`);
  const body = ext === "csv" ? runMetricsCsv(run) : `${JSON.stringify(runMetricsDownload(run), null, 2)}\n`;
  return new Response(body, {
    status: 200,
    headers: {
      "Content-Type": ext === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="${metricsFilename(run.id, ext)}"`,
      "Cache-Control": "no-store",
    },
  });
}
