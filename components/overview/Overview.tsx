"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import type { OverviewModel, OverviewResponse, WorkerView } from "@/lib/dashboard/types";
import { apiFetch } from "../api";
import { ErrorBox } from "../ErrorBox";
import { formatDateTime, formatPercent, runDuration } from "../format";
import { formatAgo } from "../relativeTime";
import { NewRunLink, RunLink, RunStatusCell } from "../RunCells";
import { Stat } from "../Stat";
import { numeric, Table } from "../Table";

export const overviewQueryKey = ["overview"] as const;

/** The page a team keeps open: what serves, what ran, who is working. Polls every few seconds. */
export function Overview({ initialData, isAdmin }: { initialData?: OverviewResponse; isAdmin: boolean }) {
  const query = useQuery({
    queryKey: overviewQueryKey,
    queryFn: ({ signal }) => apiFetch<OverviewResponse>("/api/overview", { signal }),
    initialData,
    refetchInterval: (q) => (q.state.data && (q.state.data.runCounts.running > 0 || q.state.data.runCounts.queued > 0) ? 2_000 : 5_000),
  });

  if (query.isPending) {
    return (
      <p className="muted" role="status">
        Loading overview…
      </p>
    );
  }
  if (query.isError && !query.data) {
    return (
      <ErrorBox error={query.error} title="Could not load the overview" onRetry={() => void query.refetch()} />
    );
  }
  const data = query.data;
  const now = new Date(data.now).getTime();

  return (
    <section aria-labelledby="overview-heading">
      <div className="page-header">
        <h1 id="overview-heading">Overview</h1>
        {isAdmin ? <NewRunLink /> : null}
      </div>

      {query.isError ? (
        <div className="alert alert-warn" role="status">
          Could not refresh: showing data from {formatDateTime(data.now)}.
        </div>
      ) : null}

      <h2 id="serving-heading">Serving models</h2>
      <div className="grid-2" aria-labelledby="serving-heading" data-testid="overview-models">
        {data.models.length === 0 ? (
          <div className="card empty">
            <p>No model is configured.</p>
            {isAdmin ? <Link href="/settings">Add one in Settings</Link> : <p>Ask an admin to configure a model.</p>}
          </div>
        ) : (
          data.models.map((m) => <ServingCard key={m.name} model={m} isAdmin={isAdmin} />)
        )}
      </div>

      <div className="overview-columns">
        <section className="card" aria-labelledby="latest-runs-heading">
          <div className="row">
            <h2 id="latest-runs-heading" style={{ margin: 0 }}>
              Latest runs
            </h2>
            <span className="muted small">
              {data.runCounts.running} running, {data.runCounts.queued} queued, {data.runCounts.total} in all
            </span>
            <span className="spacer" />
            <Link href="/runs">All runs</Link>
          </div>
          {data.latestRuns.length === 0 ? (
            <div className="empty" data-testid="overview-runs-empty">
              <p>No training runs yet.</p>
              {isAdmin ? (
                <Link href="/runs/new" className="btn btn-primary">
                  Start a run
                </Link>
              ) : (
                <p>Ask an admin to start a training run.</p>
              )}
            </div>
          ) : (
            <Table columns={["Status", "Run", "Model", "Created", numeric("Duration"), numeric("Accuracy")]} caption="Latest training runs, newest first" testId="overview-runs">
              {data.latestRuns.map((run) => (
                <tr key={run.id} data-testid="overview-run" data-run-id={run.id}>
                  <RunStatusCell run={run} />
                  <td>
                    <RunLink id={run.id} />
                    <div className="small muted mono">{run.table}</div>
                  </td>
                  <td>{run.model}</td>
                  <td>{formatAgo(run.createdAt, now)}</td>
                  <td className="num">{runDuration(run.startedAt, run.finishedAt, now)}</td>
                  <td className="num">{formatPercent(run.accuracyNew)}</td>
                </tr>
              ))}
            </Table>
          )}
        </section>

        <WorkersCard workers={data.workers.workers} aliveWithinMs={data.workers.aliveWithinMs} queued={data.runCounts.queued} now={now} />
      </div>
    </section>
  );
}

function ServingCard({ model, isAdmin }: { model: OverviewModel; isAdmin: boolean }) {
  const s = model.serving;
  return (
    <article className="card" data-testid="overview-model" data-model={model.name} aria-labelledby={`model-${model.name}`}>
      <div className="row">
        <h3 id={`model-${model.name}`} style={{ margin: 0 }}>
          {model.name}
        </h3>
        {model.isDefault ? <span className="badge badge-role">default</span> : null}
        <span className="muted small">{model.kind}</span>
        <span className="spacer" />
        <Link href="/models" className="small">
          {model.versionCount} version{model.versionCount === 1 ? "" : "s"}
        </Link>
      </div>
      {s ? (
        <>
          <dl className="stats" style={{ margin: "0.75rem 0" }}>
            <Stat label="Accuracy" testId="serving-accuracy">
              {formatPercent(s.accuracy)}
            </Stat>
            <Stat label="F1 (weighted)">{formatPercent(s.f1)}</Stat>
            <Stat label="Macro F1">{formatPercent(s.macroF1)}</Stat>
          </dl>
          <p className="small muted" style={{ margin: 0 }}>
            <span className="badge badge-serving">Serving</span> version <code data-testid="serving-version">{s.versionId.slice(0, 10)}</code>
            {s.runId ? (
              <>
                {" "}
                from <Link href={`/runs/${s.runId}`}>run {s.runId.slice(0, 8)}</Link>
              </>
            ) : null}
            {s.samples ? <>, measured on {s.samples.toLocaleString("en-US")} held-out rows</> : null}.
          </p>
          <p className="small muted" style={{ margin: "0.25rem 0 0" }} data-testid="promoted">
            Promoted {model.promotedAt ? <time dateTime={model.promotedAt}>{formatDateTime(model.promotedAt)}</time> : "at an unknown time"}
            {model.promotedBy ? <> by {model.promotedBy}</> : null}. Labels: {s.labels.join(", ")}
          </p>
        </>
      ) : (
        <div className="empty" style={{ padding: "1rem 0" }} data-testid="nothing-serving">
          <p style={{ marginBottom: "0.5rem" }}>Nothing serves predictions for {model.name} yet.</p>
          {isAdmin ? (
            <p>
              <Link href="/runs/new">Start a run</Link>, then press <strong>Override</strong> on its page.
            </p>
          ) : (
            <p>Ask an admin to start a run and press Override.</p>
          )}
        </div>
      )}
    </article>
  );
}

function WorkersCard({ workers, aliveWithinMs, queued, now }: { workers: WorkerView[]; aliveWithinMs: number; queued: number; now: number }) {
  const alive = workers.filter((w) => w.alive);
  const gone = workers.filter((w) => !w.alive);
  return (
    <section className="card" aria-labelledby="workers-heading" data-testid="overview-workers">
      <div className="row">
        <h2 id="workers-heading" style={{ margin: 0 }}>
          Workers
        </h2>
        <span className={`badge ${alive.length > 0 ? "badge-succeeded" : "badge-failed"}`} data-testid="workers-alive" data-count={alive.length}>
          {alive.length} alive
        </span>
      </div>
      {alive.length === 0 ? (
        <div className={`alert ${queued > 0 ? "alert-warn" : "alert-info"}`} style={{ marginTop: "0.75rem" }}>
          <p>
            No worker has sent a heartbeat in the last {Math.round(aliveWithinMs / 1000)} s
            {queued > 0 ? `, so ${queued} queued run${queued === 1 ? " waits" : "s wait"}` : ""}.
          </p>
          <p>
            <code>npm start</code> starts one; <code>npm run worker</code> adds another.
          </p>
        </div>
      ) : (
        <ul className="plain-list">
          {alive.map((w) => (
            <li key={w.id} data-testid="worker" data-alive="true">
              <span className="status-dot status-dot-alive" aria-hidden="true" />
              <span className="mono">
                {w.hostname}:{w.pid}
              </span>{" "}
              {w.runId ? (
                <>
                  training <Link href={`/runs/${w.runId}`}>run {w.runId.slice(0, 8)}</Link>
                </>
              ) : (
                <span className="muted">idle</span>
              )}
              <div className="small muted">
                heartbeat {formatAgo(w.heartbeatAt, now)}, up since {formatDateTime(w.startedAt)}
              </div>
            </li>
          ))}
        </ul>
      )}
      {gone.length > 0 ? (
        <details className="small" style={{ marginTop: "0.5rem" }}>
          <summary>
            {gone.length} stopped in the last day
          </summary>
          <ul className="plain-list">
            {gone.map((w) => (
              <li key={w.id} className="muted">
                <span className="status-dot" aria-hidden="true" />
                <span className="mono">
                  {w.hostname}:{w.pid}
                </span>{" "}
                last heartbeat {formatAgo(w.heartbeatAt, now)}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}
