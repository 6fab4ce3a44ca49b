import type { Metrics } from "@/lib/training/types";
import { Delta } from "./Delta";
import { formatNumber, formatPercent } from "./format";

export const NO_OLD_MODEL = "No model was serving before this run";

interface MetricRow {
  key: "accuracy" | "precision" | "recall" | "f1" | "macro_precision" | "macro_recall" | "macro_f1" | "eval_loss";
  label: string;
  kind: "score" | "loss";
}

const ROWS: MetricRow[] = [
  { key: "accuracy", label: "Accuracy", kind: "score" },
  { key: "precision", label: "Precision (weighted)", kind: "score" },
  { key: "recall", label: "Recall (weighted)", kind: "score" },
  { key: "f1", label: "F1 (weighted)", kind: "score" },
  { key: "macro_precision", label: "Precision (macro)", kind: "score" },
  { key: "macro_recall", label: "Recall (macro)", kind: "score" },
  { key: "macro_f1", label: "F1 (macro)", kind: "score" },
  { key: "eval_loss", label: "Eval loss", kind: "loss" },
];

function show(value: number | undefined, kind: MetricRow["kind"]): string {
  return kind === "score" ? formatPercent(value, 1) : formatNumber(value, 4);
}

interface CompareProps {
  oldMetrics: Metrics | null;
  newMetrics: Metrics | null;
}

/** Old vs new on the same held-out rows, with the change coloured by whether it is better. */
export function MetricsTable({ oldMetrics, newMetrics }: CompareProps) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="metrics-table">
        <caption className="visually-hidden">Old model versus new model on the held-out rows</caption>
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col" className="num">
              Old model
            </th>
            <th scope="col" className="num">
              New model (this run)
            </th>
            <th scope="col" className="num">
              Change
            </th>
          </tr>
        </thead>
        <tbody>
          {ROWS.map((row, i) => (
            <tr key={row.key} data-metric={row.key}>
              <th scope="row">{row.label}</th>
              {oldMetrics ? (
                <td className="num">{show(oldMetrics[row.key], row.kind)}</td>
              ) : i === 0 ? (
                <td className="muted" rowSpan={ROWS.length} data-testid="no-old-model">
                  {NO_OLD_MODEL}
                </td>
              ) : null}
              <td className="num">{newMetrics ? show(newMetrics[row.key], row.kind) : "—"}</td>
              <td className="num">
                <Delta
                  oldValue={oldMetrics?.[row.key]}
                  newValue={newMetrics?.[row.key]}
                  unit={row.kind === "score" ? "points" : "number"}
                  lowerIsBetter={row.kind === "loss"}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {newMetrics ? (
        <p className="hint">
          Evaluated on {newMetrics.samples.toLocaleString("en-US")} held-out rows. Change is new − old; scores in percentage points.
        </p>
      ) : null}
    </div>
  );
}

/** Per-class F1 of both models, one row per label (union of both models' labels). */
export function PerClassTable({ oldMetrics, newMetrics }: CompareProps) {
  const labels = Array.from(
    new Set([...Object.keys(newMetrics?.per_class ?? {}), ...Object.keys(oldMetrics?.per_class ?? {})]),
  );
  if (labels.length === 0) return <p className="muted">No per-class scores.</p>;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="per-class-table">
        <caption className="visually-hidden">F1 per class, old versus new</caption>
        <thead>
          <tr>
            <th scope="col">Label</th>
            <th scope="col" className="num">
              Support
            </th>
            <th scope="col" className="num">
              Old F1
            </th>
            <th scope="col" className="num">
              New F1
            </th>
            <th scope="col" className="num">
              Change
            </th>
          </tr>
        </thead>
        <tbody>
          {labels.map((label) => {
            const o = oldMetrics?.per_class[label];
            const n = newMetrics?.per_class[label];
            return (
              <tr key={label}>
                <th scope="row">{label}</th>
                <td className="num">{(n ?? o)?.support ?? "—"}</td>
                <td className="num">{oldMetrics ? formatPercent(o?.f1) : <span className="muted">—</span>}</td>
                <td className="num">{formatPercent(n?.f1)}</td>
                <td className="num">
                  <Delta oldValue={o?.f1} newValue={n?.f1} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
