"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState } from "react";
import type { RunStatus, RunSummary } from "@/lib/runs/types";
import { apiFetch } from "../api";
import { ErrorBox } from "../ErrorBox";
import { formatDateTime, formatPercent, runDuration } from "../format";
import { NewRunLink, RunLink, RunStatusCell } from "../RunCells";
import { isActive } from "../StatusBadge";
import { Delta } from "../Delta";
import { numeric, Table } from "../Table";

const PAGE_SIZE = 20;
const STATUSES: RunStatus[] = ["queued", "running", "succeeded", "failed", "cancelled"];

interface RunsPage {
  runs: RunSummary[];
  total: number;
}

export function RunsList({ canCreate }: { canCreate: boolean }) {
  const [status, setStatus] = useState<RunStatus | "">("");
  const [offset, setOffset] = useState(0);
  const filterId = useId();

  const query = useQuery({
    queryKey: ["runs", { status, offset }],
    queryFn: ({ signal }) => {
      const params = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(offset) });
      if (status) params.set("status", status);
      return apiFetch<RunsPage>(`/api/runs?${params.toString()}`, { signal });
    },
    placeholderData: keepPreviousData,
    // Poll while anything on screen is still moving.
    refetchInterval: (q) => (q.state.data?.runs.some((r) => isActive(r.status)) ? 2_000 : false),
  });

  const data = query.data;
  const total = data?.total ?? 0;
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(offset + PAGE_SIZE, total);

  return (
    <section aria-labelledby="runs-heading">
      <div className="page-header">
        <h1 id="runs-heading">Training runs</h1>
        <div className="row">
          <label htmlFor={filterId} style={{ margin: 0 }}>
            Status
          </label>
          <select
            id={filterId}
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as RunStatus | "");
              setOffset(0);
            }}
          >
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s[0]!.toUpperCase() + s.slice(1)}
              </option>
            ))}
          </select>
          {canCreate ? <NewRunLink /> : null}
        </div>
      </div>

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
            {status ? (
              <>
                <p>No {status} runs.</p>
                <button type="button" className="btn" onClick={() => setStatus("")}>
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
            <Table columns={["Status", "Run", "Model", "Table", "Created", numeric("Duration"), numeric("Accuracy old → new")]} caption="Training runs, newest first" testId="runs-table">
              {data.runs.map((run) => (
                <tr key={run.id} data-testid="run-row" data-run-id={run.id}>
                  <RunStatusCell run={run} />
                  <td>
                    <RunLink id={run.id} />
                  </td>
                  <td>{run.model}</td>
                  <td className="mono">{run.table}</td>
                  <td>{formatDateTime(run.createdAt)}</td>
                  <td className="num">{runDuration(run.startedAt, run.finishedAt)}</td>
                  <td className="num">
                    {run.accuracyNew === null && run.accuracyOld === null ? (
                      <span className="muted">—</span>
                    ) : (
                      <>
                        {formatPercent(run.accuracyOld)} → {formatPercent(run.accuracyNew)}{" "}
                        <Delta oldValue={run.accuracyOld} newValue={run.accuracyNew} />
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </Table>
            <nav className="pager" aria-label="Pages of runs">
              <span className="muted small" aria-live="polite">
                {from}–{to} of {total}
              </span>
              <button
                type="button"
                className="btn btn-small"
                disabled={offset === 0}
                onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}
              >
                Previous
              </button>
              <button
                type="button"
                className="btn btn-small"
                disabled={offset + PAGE_SIZE >= total}
                onClick={() => setOffset(offset + PAGE_SIZE)}
              >
                Next
              </button>
            </nav>
          </>
        ) : null}
      </div>
    </section>
  );
}
