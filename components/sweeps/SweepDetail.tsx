"use client";

import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState } from "react";
import { DEFAULT_RANK_METRIC, RANK_METRICS, type RankMetric } from "@/lib/sweeps/spec";
import { apiFetch } from "../api";
import { ConfirmDialog } from "../ConfirmDialog";
import { ErrorBox } from "../ErrorBox";
import { formatDateTime, formatPercent } from "../format";
import { RunLink, RunStatusCell } from "../RunCells";
import { ACTIONS, numeric, Table } from "../Table";
import { useConfirmedMutation } from "../useConfirmedMutation";
import { BestCandidate } from "./BestCandidate";
import { describeSpec, useSweep } from "./useSweeps";

/** The end of a run's id: a sweep's runs are queued in the same instant, so their ids share the start. */
const runLabel = (id: string) => id.slice(-8);

/** How many of the top runs the compare link takes when none is selected. */
const COMPARE_TOP = 3;

/** A sweep's runs ranked by a metric of the new model; compare the selected (or top) runs; Override with the best; cancel. */
export function SweepDetail({ id, isAdmin }: { id: string; isAdmin: boolean }) {
  const metricId = useId();
  const queryClient = useQueryClient();
  const [metric, setMetric] = useState<RankMetric>(DEFAULT_RANK_METRIC);
  const [selected, setSelected] = useState<string[]>([]);
  const query = useSweep(id, metric);
  const cancel = useConfirmedMutation(
    (sweepId: string) => apiFetch<{ cancelled: string[] }>(`/api/sweeps/${encodeURIComponent(sweepId)}/cancel`, { method: "POST" }),
    () => void queryClient.invalidateQueries({ queryKey: ["sweeps"] }),
  );

  if (query.isError) return <ErrorBox error={query.error} title="Could not load the sweep" onRetry={() => void query.refetch()} />;
  if (query.isPending) return <p className="muted" role="status">Loading the sweep…</p>;
  const sweep = query.data;
  const runs = sweep.runs ?? [];
  const active = (sweep.counts.queued ?? 0) + (sweep.counts.running ?? 0);
  const compareIds = selected.length ? selected : runs.filter((r) => r.rank !== null).slice(0, COMPARE_TOP).map((r) => r.id);
  const names = runs[0] ? Object.keys(runs[0].point) : [];
  const toggle = (runId: string, on: boolean) => setSelected(on ? [...selected, runId] : selected.filter((x) => x !== runId));

  return (
    <section aria-labelledby="sweep-heading">
      <div className="page-header">
        <h1 id="sweep-heading" style={{ overflowWrap: "anywhere" }}>
          Sweep <span className="mono">{sweep.id.slice(-8)}</span>
        </h1>
        <div className="row">
          {compareIds.length >= 2 ? (
            <Link className="btn" href={`/runs/compare?ids=${compareIds.join(",")}`} data-testid="sweep-compare">
              {selected.length ? `Compare selected (${selected.length})` : `Compare top ${compareIds.length}`}
            </Link>
          ) : null}
          {isAdmin && active > 0 ? (
            <button type="button" className="btn btn-danger" onClick={() => cancel.ask(sweep.id)}>
              Cancel sweep
            </button>
          ) : null}
        </div>
      </div>
      <div className="card">
        <p style={{ marginTop: 0, overflowWrap: "anywhere" }}>
          <strong>{sweep.model}</strong> on <code>{String(sweep.request.table ?? "")}</code>: <span className="mono small">{describeSpec(sweep)}</span>
        </p>
        <p className="small muted">
          {sweep.total} runs ({Object.entries(sweep.counts).map(([s, n]) => `${n} ${s}`).join(", ")}), created {formatDateTime(sweep.createdAt)}
          {sweep.createdBy ? ` by ${sweep.createdBy}` : ""}.
        </p>
        <div className="row">
          <label htmlFor={metricId} style={{ margin: 0 }}>
            Rank by
          </label>
          <select id={metricId} value={metric} onChange={(e) => setMetric(e.target.value as RankMetric)}>
            {RANK_METRICS.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </div>
        <Table
          columns={[ACTIONS, numeric("Rank"), ...names, numeric("Macro F1"), numeric("Accuracy"), ...(metric === "accuracy" || metric === "macro_f1" ? [] : [numeric(metric)]), "Run", "Status"]}
          caption={`The sweep's runs, best ${metric} first`}
          testId="sweep-runs"
        >
          {runs.map((r) => (
            <tr key={r.id} data-testid="sweep-run" data-run-id={r.id} data-rank={r.rank ?? ""}>
              <td>
                <input type="checkbox" aria-label={`Select run ${runLabel(r.id)} to compare`} checked={selected.includes(r.id)} onChange={(e) => toggle(r.id, e.target.checked)} />
              </td>
              <td className="num">{r.rank ?? <span className="muted">—</span>}</td>
              {names.map((n) => (
                <td key={n} className="mono">
                  {JSON.stringify(r.point[n])}
                </td>
              ))}
              <td className="num">{formatPercent(r.macroF1)}</td>
              <td className="num">{formatPercent(r.accuracy)}</td>
              {metric === "accuracy" || metric === "macro_f1" ? null : <td className="num">{formatPercent(r.score)}</td>}
              <td>
                <RunLink id={r.id} label={runLabel(r.id)} />
                {r.candidateServing ? <span className="badge badge-serving"> Serving</span> : null}
              </td>
              <RunStatusCell run={r} />
            </tr>
          ))}
        </Table>
      </div>
      {sweep.best ? (
        <div data-testid="sweep-best">
          <p className="small muted">
            Best by {metric}: run <RunLink id={sweep.best.runId} label={runLabel(sweep.best.runId)} /> ({formatPercent(sweep.best.score)}).
          </p>
          <BestCandidate key={sweep.best.runId} runId={sweep.best.runId} sweepId={sweep.id} isAdmin={isAdmin} />
        </div>
      ) : null}
      <ConfirmDialog {...cancel.dialog} title="Cancel this sweep?" confirmLabel="Cancel its runs" cancelLabel="Keep running">
        <p>
          The sweep&apos;s {active} queued or running {active === 1 ? "run is" : "runs are"} cancelled; finished runs and their versions stay.
        </p>
      </ConfirmDialog>
    </section>
  );
}
