import type { ReactNode } from "react";
import type { RunView } from "@/lib/runs/types";
import type { Metrics } from "@/lib/training/types";
import { Delta } from "../../Delta";
import { formatNumber, formatPercent } from "../../format";
import { runLetter } from "./runColours";

/** One score read from a run's old or new metrics. */
export interface ScoreRow {
  key: string;
  label: ReactNode;
  get: (m: Metrics) => number | undefined;
  /** "loss": lower is better, shown as a plain number */
  kind: "score" | "loss";
}

const show = (v: number | undefined, kind: ScoreRow["kind"]) => (kind === "score" ? formatPercent(v, 1) : formatNumber(v, 4));

type Kind = "old" | "new" | "change" | "vs-first";
const KIND_LABEL: Record<Kind, string> = { old: "old", new: "new", change: "new − old", "vs-first": "new − run A" };

/**
 * Scores of the runs side by side: per score, the old model's, the new model's, the change new −
 * old, and (from the second run on) the new model's difference from the first run's. The old rows
 * are left out when no run had a model serving as it started.
 */
export function ScoreGrid({ runs, rows, caption, testId }: { runs: RunView[]; rows: ScoreRow[]; caption: string; testId: string }) {
  const first = runs[0]!;
  const hasOld = runs.some((r) => r.metrics.old !== null);
  const kinds: Kind[] = hasOld ? ["old", "new", "change", "vs-first"] : ["new", "vs-first"];
  const value = (r: RunView, side: "old" | "new", row: ScoreRow) => {
    const m = r.metrics[side];
    return m ? row.get(m) : undefined;
  };
  const cell = (r: RunView, i: number, row: ScoreRow, kind: Kind): ReactNode => {
    const unit = row.kind === "score" ? "points" : "number";
    const lower = row.kind === "loss";
    if (kind === "old") return show(value(r, "old", row), row.kind);
    if (kind === "new") return <strong>{show(value(r, "new", row), row.kind)}</strong>;
    if (kind === "change") return <Delta oldValue={value(r, "old", row)} newValue={value(r, "new", row)} unit={unit} lowerIsBetter={lower} />;
    return i === 0 ? <span className="muted">—</span> : <Delta oldValue={value(first, "new", row)} newValue={value(r, "new", row)} unit={unit} lowerIsBetter={lower} />;
  };
  return (
    <div className="table-wrap">
      <table className="table compact" data-testid={testId}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col" colSpan={2}>
              <span className="visually-hidden">Score</span>
            </th>
            {runs.map((r, i) => (
              <th key={r.id} scope="col" className="num">
                Run {runLetter(i)}
              </th>
            ))}
          </tr>
        </thead>
        {rows.map((row) => (
          <tbody key={row.key} data-score={row.key}>
            {kinds.map((kind, k) => (
              <tr key={kind}>
                {k === 0 ? (
                  <th scope="rowgroup" rowSpan={kinds.length}>
                    {row.label}
                  </th>
                ) : null}
                <th scope="row" className="small muted" style={{ whiteSpace: "nowrap" }}>
                  {KIND_LABEL[kind]}
                </th>
                {runs.map((r, i) => (
                  <td key={r.id} className="num" data-kind={kind}>
                    {cell(r, i, row, kind)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        ))}
      </table>
      {hasOld ? null : <p className="hint">No model served when these runs started, so each has only its new model&apos;s scores.</p>}
    </div>
  );
}

/** The scores compared between runs: accuracy, weighted and macro F1, eval loss. */
export const RUN_SCORES: ScoreRow[] = [
  { key: "accuracy", label: "Accuracy", get: (m) => m.accuracy, kind: "score" },
  { key: "f1", label: "F1 (weighted)", get: (m) => m.f1, kind: "score" },
  { key: "macro_f1", label: "F1 (macro)", get: (m) => m.macro_f1, kind: "score" },
  { key: "eval_loss", label: "Eval loss", get: (m) => m.eval_loss, kind: "loss" },
];

/** One row per label any run's old or new model was scored on: its F1. */
export function perClassRows(runs: RunView[]): ScoreRow[] {
  const labels = new Set<string>();
  for (const r of runs) for (const m of [r.metrics.new, r.metrics.old]) for (const l of Object.keys(m?.per_class ?? {})) labels.add(l);
  return [...labels].map((label) => ({ key: label, label, get: (m) => m.per_class[label]?.f1, kind: "score" }));
}
