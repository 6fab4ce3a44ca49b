import type { Metrics } from "@/lib/training/types";
import { Delta } from "../Delta";
import { formatNumber, formatPercent } from "../format";
import { SCORE_METRICS, type ScoreKey } from "./scoreMetrics";
import { numeric, Table, TableHead } from "../Table";

export const NO_OLD_MODEL = "No model was serving before this run";

interface MetricRow {
  key: ScoreKey | "eval_loss" | "ece";
  label: string;
  /** loss and calibration error: lower is better */
  kind: "score" | "loss" | "ece";
}

const ROWS: MetricRow[] = [
  ...SCORE_METRICS.map(({ key, label }): MetricRow => ({ key, label, kind: "score" })),
  { key: "eval_loss", label: "Eval loss", kind: "loss" },
  { key: "ece", label: "Calibration error (ECE)", kind: "ece" },
];

function show(value: number | undefined, kind: MetricRow["kind"]): string {
  return kind === "score" ? formatPercent(value, 1) : formatNumber(value, kind === "ece" ? 3 : 4);
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
        <TableHead columns={["Metric", numeric("Old model"), numeric("New model (this run)"), numeric("Change")]} />
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
                  lowerIsBetter={row.kind !== "score"}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {newMetrics ? (
        <p className="hint">
          Evaluated on {newMetrics.samples.toLocaleString("en-US")} held-out rows. Change is new − old; scores in percentage points. ECE (expected
          calibration error, 15 bins): how far the top-class score is from the share of right answers, on average; 0 is perfect.
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
    <Table columns={["Label", numeric("Support"), numeric("Old F1"), numeric("New F1"), numeric("Change")]} caption="F1 per class, old versus new" testId="per-class-table">
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
    </Table>
  );
}
