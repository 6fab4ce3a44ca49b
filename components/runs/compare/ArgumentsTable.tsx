"use client";

import { useState } from "react";
import type { ArgumentRow } from "@/lib/dashboard/run-compare";
import type { RunView } from "@/lib/runs/types";
import { runLetter } from "./runColours";

function showValue(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** The runs' training arguments: those that differ, or every one with "Show all arguments". */
export function ArgumentsTable({ runs, rows }: { runs: RunView[]; rows: ArgumentRow[] }) {
  const [all, setAll] = useState(false);
  const differing = rows.filter((r) => r.differs);
  const shown = all ? rows : differing;
  return (
    <>
      <div className="row" style={{ marginBottom: "0.5rem" }}>
        <p className="small muted" style={{ margin: 0 }} data-testid="arguments-summary">
          {differing.length === 0
            ? `The runs share all ${rows.length} arguments.`
            : `${differing.length} of ${rows.length} arguments differ.`}{" "}
          “default”: the run did not set it, so its default applied.
        </p>
        <span className="spacer" />
        <label className="small">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} data-testid="show-all-arguments" /> Show all arguments
        </label>
      </div>
      {shown.length > 0 ? (
        <div className="table-wrap">
          <table className="table compact" data-testid="arguments-table">
            <caption className="visually-hidden">{all ? "Every training argument of the runs" : "The training arguments that differ between the runs"}</caption>
            <thead>
              <tr>
                <th scope="col">Argument</th>
                {runs.map((r, i) => (
                  <th key={r.id} scope="col">
                    Run {runLetter(i)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shown.map((row) => (
                <tr key={row.name} data-argument={row.name} data-differs={row.differs}>
                  <th scope="row" className="mono">
                    {row.name}
                    {all && row.differs ? <span className="badge" style={{ marginLeft: "0.4rem" }}>differs</span> : null}
                  </th>
                  {row.values.map((v, i) => (
                    <td key={i} className="mono" style={{ overflowWrap: "anywhere" }}>
                      {v === null ? <span className="muted">default</span> : showValue(v)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
