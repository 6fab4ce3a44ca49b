"use client";

// components/runs/compare/: the compare page (/runs/compare?ids=a,b,c): the runs' loss curves on
// one chart, their old/new scores side by side, the arguments that differ, and per-class F1.

import Link from "next/link";
import { ApiRequestError } from "../../api";
import { ErrorBox } from "../../ErrorBox";
import { formatDateTime } from "../../format";
import { StatusBadge } from "../../StatusBadge";
import { ArgumentsTable } from "./ArgumentsTable";
import { CompareLossChart } from "./CompareLossChart";
import { runColour, runLetter } from "./runColours";
import { perClassRows, RUN_SCORES, ScoreGrid } from "./ScoreGrid";
import { useRunsComparison } from "./useRunsComparison";
import type { RunView } from "@/lib/runs/types";

export function RunsCompare({ ids }: { ids: string[] }) {
  const query = useRunsComparison(ids);
  return (
    <section aria-labelledby="compare-runs-heading">
      <div className="page-header">
        <div>
          <p className="small muted" style={{ margin: 0 }}>
            <Link href="/runs">Runs</Link> / compare
          </p>
          <h1 id="compare-runs-heading">Compare runs</h1>
        </div>
      </div>
      {ids.length < 2 ? (
        <div className="alert alert-warn" role="alert" data-testid="compare-too-few">
          <div className="alert-title">Pick at least two runs</div>
          <p>
            {ids.length === 0 ? "No run was named." : `Only one run was named (${ids[0]}).`} Select two or more runs on the{" "}
            <Link href="/runs">Runs</Link> list or on <Link href="/models">Models</Link>, then press Compare.
          </p>
        </div>
      ) : query.isPending ? (
        <p className="muted" role="status">
          Loading {ids.length} runs…
        </p>
      ) : query.isError ? (
        <ErrorBox
          error={query.error}
          title={query.error instanceof ApiRequestError && query.error.status === 404 ? "Some runs were not found" : "Could not compare these runs"}
        >
          <p>
            <Link href="/runs">Back to all runs</Link>
          </p>
        </ErrorBox>
      ) : (
        <>
          <RunLegend runs={query.data.runs} />
          <div className="card">
            <h2>Loss</h2>
            <CompareLossChart runs={query.data.runs} />
          </div>
          <div className="card">
            <h2>Scores</h2>
            <p className="hint" style={{ marginTop: 0 }}>
              Each run scores its old model (what served when it started) and its new one on the same held-out rows; runs on other data or
              splits were scored on other rows.
            </p>
            <ScoreGrid runs={query.data.runs} rows={RUN_SCORES} caption="Scores of the runs' old and new models" testId="compare-scores" />
          </div>
          <div className="card">
            <h2>Arguments</h2>
            <ArgumentsTable runs={query.data.runs} rows={query.data.arguments} />
          </div>
          <div className="card">
            <h2>F1 per class</h2>
            <ScoreGrid runs={query.data.runs} rows={perClassRows(query.data.runs)} caption="F1 per class of the runs' old and new models" testId="compare-per-class" />
          </div>
        </>
      )}
    </section>
  );
}

/** The compared runs, each with its letter and colour. */
function RunLegend({ runs }: { runs: RunView[] }) {
  return (
    <div className="card">
      <ol className="plain-list" data-testid="compare-runs" style={{ marginTop: 0 }}>
        {runs.map((r, i) => (
          <li key={r.id} data-run-id={r.id} className="row" style={{ flexWrap: "wrap" }}>
            <span aria-hidden="true" style={{ display: "inline-block", width: "1.2rem", height: "0.25rem", background: runColour(i), borderRadius: 2 }} />
            <strong>Run {runLetter(i)}</strong>
            <Link href={`/runs/${encodeURIComponent(r.id)}`} className="mono">
              {r.id}
            </Link>
            <StatusBadge status={r.status} />
            <span className="small muted">
              {r.model} on {String(r.request.table ?? "")}, {formatDateTime(r.createdAt)}
            </span>
          </li>
        ))}
      </ol>
    </div>
  );
}
