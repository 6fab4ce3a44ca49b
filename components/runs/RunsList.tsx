"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import type { RunSummary } from "@/lib/runs/types";
import type { RunSortKey } from "@/lib/validations/run-list-query";
import { apiFetch } from "../api";
import { ErrorBox } from "../ErrorBox";
import { formatDateTime, formatNumber, formatPercent } from "../format";
import { NewRunLink, RunStatusCell } from "../RunCells";
import { isActive } from "../StatusBadge";
import { Delta } from "../Delta";
import { Table, type Column } from "../Table";
import { RunsFilters } from "./RunsFilters";
import { useRunsView } from "./useRunsView";

const PAGE_SIZE = 20;

interface RunsPage {
  runs: RunSummary[];
  total: number;
}

const TRIGGERS: Record<RunSummary["trigger"], string> = { manual: "Manual", api: "API", schedule: "Schedule" };

/** The list of runs: search, filters and sort kept in the URL (useRunsView), pages, and a selection to compare. */
export function RunsList({ canCreate }: { canCreate: boolean }) {
  const { view, update, sortBy, sortKey, sortDescending, apiParams, filtered } = useRunsView();
  const [selected, setSelected] = useState<string[]>([]);
  const offset = Number(view.offset) || 0;

  const query = useQuery({
    queryKey: ["runs", apiParams.toString()],
    queryFn: ({ signal }) => {
      const params = new URLSearchParams(apiParams);
      params.set("limit", String(PAGE_SIZE));
      return apiFetch<RunsPage>(`/api/runs?${params.toString()}`, { signal });
    },
    placeholderData: keepPreviousData,
    // Poll while anything on screen is still moving.
    refetchInterval: (q) => (q.state.data?.runs.some((r) => isActive(r.status)) ? 2_000 : false),
  });

  const data = query.isError ? undefined : query.data;
  const total = data?.total ?? 0;
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(offset + PAGE_SIZE, total);

  const sortable = (label: string, key: RunSortKey, num = false): Column => ({
    num,
    sort: sortKey === key ? (sortDescending ? "descending" : "ascending") : undefined,
    label: (
      <button type="button" className="link-button sort-button" onClick={() => sortBy(key)}>
        {label}
        <span aria-hidden="true">{sortKey === key ? (sortDescending ? " ↓" : " ↑") : ""}</span>
      </button>
    ),
  });
  const columns: Column[] = [
    { label: <span className="visually-hidden">Select</span> },
    sortable("Run", "name"),
    sortable("Status", "status"),
    sortable("Model", "model"),
    sortable("Table", "table"),
    { label: "Trigger" },
    sortable("Epochs", "epochs", true),
    sortable("Learning rate", "learningRate", true),
    { label: "Batch size", num: true },
    sortable("Accuracy", "accuracy", true),
    sortable("Macro-F1", "macroF1", true),
    sortable("Created", "createdAt"),
  ];
  const toggle = (id: string, on: boolean) => setSelected((s) => (on ? [...s, id] : s.filter((x) => x !== id)));

  return (
    <section aria-labelledby="runs-heading">
      <div className="page-header">
        <h1 id="runs-heading">Training runs</h1>
        <div className="row">
          {selected.length >= 2 ? (
            <Link href={`/runs/compare?ids=${selected.map(encodeURIComponent).join(",")}`} className="btn" data-testid="compare-runs">
              Compare ({selected.length})
            </Link>
          ) : (
            <button type="button" className="btn" disabled title="Select two or more runs to compare" data-testid="compare-runs">
              Compare ({selected.length})
            </button>
          )}
          {canCreate ? <NewRunLink /> : null}
        </div>
      </div>

      <RunsFilters view={view} update={update} filtered={filtered} />

      {query.isError ? (
        <ErrorBox error={query.error} title="Could not load runs" onRetry={() => void query.refetch()} />
      ) : null}

      <div className="card" aria-busy={query.isFetching}>
        {query.isPending ? (
          <p className="muted" role="status">
            Loading runs…
          </p>
        ) : data && data.runs.length === 0 ? (
          <div className="empty" data-testid="runs-empty">
            {filtered ? (
              <>
                <p>No runs match these filters.</p>
                <button type="button" className="btn" onClick={() => update({ q: "", status: "", model: "", table: "", tag: "" })}>
                  Show all runs
                </button>
              </>
            ) : (
              <>
                <p>No training runs yet.</p>
                {canCreate ? (
                  <Link href="/runs/new" className="btn btn-primary">
                    Start your first run
                  </Link>
                ) : (
                  <p>Ask an admin to start a training run; it will show up here.</p>
                )}
              </>
            )}
          </div>
        ) : data ? (
          <>
            <Table columns={columns} caption="Training runs" testId="runs-table">
              {data.runs.map((run) => (
                <tr key={run.id} data-testid="run-row" data-run-id={run.id}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select run ${run.name ?? run.id}`}
                      checked={selected.includes(run.id)}
                      onChange={(e) => toggle(run.id, e.target.checked)}
                    />
                  </td>
                  <td>
                    <Link href={`/runs/${run.id}`} className={run.name ? undefined : "mono"} data-testid="run-name">
                      {run.name ?? run.id.slice(0, 8)}
                    </Link>
                    {run.tags.length ? (
                      <div className="tag-list small">
                        {run.tags.map((t) => (
                          <button key={t} type="button" className="tag" title={`Show runs tagged ${t}`} onClick={() => update({ tag: t })}>
                            {t}
                          </button>
                        ))}
                      </div>
                    ) : null}
                  </td>
                  <RunStatusCell run={run} />
                  <td>{run.model}</td>
                  <td className="mono">{run.table}</td>
                  <td>{TRIGGERS[run.trigger] ?? run.trigger}</td>
                  <td className="num">{orDash(run.epochs, String)}</td>
                  <td className="num">{orDash(run.learningRate, String)}</td>
                  <td className="num">{orDash(run.batchSize, String)}</td>
                  <td className="num" data-testid="run-accuracy">
                    {run.accuracyNew === null ? (
                      <span className="muted">—</span>
                    ) : (
                      <>
                        {formatPercent(run.accuracyNew)}{" "}
                        {run.accuracyOld !== null ? <Delta oldValue={run.accuracyOld} newValue={run.accuracyNew} /> : null}
                      </>
                    )}
                  </td>
                  <td className="num">{orDash(run.macroF1New, (v) => formatNumber(v, 3))}</td>
                  <td>{formatDateTime(run.createdAt)}</td>
                </tr>
              ))}
            </Table>
            <nav className="pager" aria-label="Pages of runs">
              <span className="muted small" aria-live="polite">
                {from}–{to} of {total}
              </span>
              <button type="button" className="btn btn-small" disabled={offset === 0} onClick={() => update({ offset: String(Math.max(0, offset - PAGE_SIZE)) })}>
                Previous
              </button>
              <button type="button" className="btn btn-small" disabled={offset + PAGE_SIZE >= total} onClick={() => update({ offset: String(offset + PAGE_SIZE) })}>
                Next
              </button>
            </nav>
          </>
        ) : null}
      </div>
    </section>
  );
}

function orDash(value: number | null, format: (v: number) => string) {
  return value === null ? <span className="muted">—</span> : format(value);
}
