"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState } from "react";
import type { RunView } from "@/lib/runs/types";
import { ApiRequestError, apiFetch, errorMessage } from "../api";
import { ConfirmDialog } from "../ConfirmDialog";
import { MetricsBarChart, PerClassF1Chart } from "./CompareCharts";
import { ConfusionMatrix, type MatrixMode } from "./ConfusionMatrix";
import { Delta } from "../Delta";
import { ErrorBox } from "../ErrorBox";
import { formatDateTime, formatInt, formatPercent, formatSeconds, runDuration } from "../format";
import { RunLogView } from "./RunLogView";
import { LossChart } from "./LossChart";
import { MetricsTable, NO_OLD_MODEL, PerClassTable } from "./MetricsTable";
import { ProgressBar } from "../ProgressBar";
import { SCORE_METRICS } from "./scoreMetrics";
import { Stat } from "../Stat";
import { isActive, StatusBadge } from "../StatusBadge";
import { numeric, TableHead } from "../Table";
import { useIsAdmin } from "../useMe";
import { keepFinishedRun, runQueryKey, useRunEvents, type StreamState } from "./useRunEvents";

const STREAM_TEXT: Record<StreamState, string> = {
  connecting: "Connecting to live updates…",
  live: "Live",
  reconnecting: "Reconnecting…",
  ended: "Run finished",
  failed: "Live updates unavailable; refreshing every few seconds",
};

export function RunDetail({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const isAdmin = useIsAdmin();
  const { lines, state: stream } = useRunEvents(id);

  const runQuery = useQuery({
    queryKey: runQueryKey(id),
    queryFn: ({ signal }) => apiFetch<RunView>(`/api/runs/${encodeURIComponent(id)}`, { signal }),
    structuralSharing: keepFinishedRun,
    // The event stream keeps the cache fresh; poll only while it is down and the run is moving.
    refetchInterval: (q) => {
      const run = q.state.data;
      return run && isActive(run.status) && stream !== "live" && stream !== "ended" ? 3_000 : false;
    },
  });

  const cancel = useMutation({
    mutationFn: () => apiFetch<RunView>(`/api/runs/${encodeURIComponent(id)}/cancel`, { method: "POST", body: {} }),
    onSuccess: (run) => {
      queryClient.setQueryData(runQueryKey(id), run);
      setCancelOpen(false);
      void queryClient.invalidateQueries({ queryKey: ["runs"] });
    },
  });

  const [confirmOpen, setConfirmOpen] = useState(false);
  const [cancelOpen, setCancelOpen] = useState(false);
  const [matrixMode, setMatrixMode] = useState<MatrixMode>("counts");
  const matrixModeName = useId();
  const promote = useMutation({
    mutationFn: ({ model, versionId }: { model: string; versionId: string }) =>
      apiFetch<{ model: string; servingVersionId: string; previousVersionId: string | null }>(
        `/api/models/${encodeURIComponent(model)}/promote`,
        { method: "POST", body: { versionId } },
      ),
    onSuccess: (result) => {
      queryClient.setQueryData<RunView>(runQueryKey(id), (run) =>
        run ? { ...run, candidateServing: result.servingVersionId === run.candidateVersionId } : run,
      );
      setConfirmOpen(false);
      void queryClient.invalidateQueries({ queryKey: runQueryKey(id) });
      void queryClient.invalidateQueries({ queryKey: ["models"] });
      void queryClient.invalidateQueries({ queryKey: ["overview"] });
    },
  });

  if (runQuery.isPending) {
    return (
      <p className="muted" role="status">
        Loading run…
      </p>
    );
  }
  if (runQuery.isError) {
    const notFound = runQuery.error instanceof ApiRequestError && runQuery.error.status === 404;
    return (
      <ErrorBox error={runQuery.error} title={notFound ? "Run not found" : "Could not load this run"}>
        <p>
          <Link href="/runs">Back to all runs</Link>
        </p>
      </ErrorBox>
    );
  }

  const run = runQuery.data;
  const active = isActive(run.status);
  const oldM = run.metrics.old;
  const newM = run.metrics.new;
  const hasMetrics = oldM !== null || newM !== null;
  const canOverride = isAdmin && run.candidateVersionId !== null && !run.candidateServing;
  const stepText =
    run.step !== null && run.totalSteps !== null ? `step ${formatInt(run.step)} / ${formatInt(run.totalSteps)}` : null;

  return (
    <section aria-labelledby="run-heading">
      <div className="page-header">
        <div>
          <p className="small muted" style={{ margin: 0 }}>
            <Link href="/runs">Runs</Link> / <span className="mono">{run.id}</span>
          </p>
          <h1 id="run-heading" className="row">
            Run on {run.model} <StatusBadge status={run.status} />
          </h1>
        </div>
        <div className="row">
          {active && isAdmin ? (
            <button
              type="button"
              className="btn btn-danger"
              onClick={() => setCancelOpen(true)}
              disabled={cancel.isPending || run.cancelRequested}
            >
              {run.cancelRequested ? "Cancelling…" : "Cancel run"}
            </button>
          ) : null}
        </div>
      </div>

      {isAdmin && active ? (
      <ConfirmDialog
        open={cancelOpen}
        title="Cancel this run?"
        confirmLabel="Cancel run"
        cancelLabel="Keep running"
        busy={cancel.isPending}
        error={cancel.isError ? errorMessage(cancel.error) : null}
        onCancel={() => {
          setCancelOpen(false);
          cancel.reset();
        }}
        onConfirm={() => cancel.mutate()}
      >
        <p>
          The worker stops at its next check and the run ends as cancelled. No new version is stored, and what serves now keeps
          serving.
        </p>
      </ConfirmDialog>
      ) : null}

      {run.status === "failed" ? (
        <div className="alert alert-error" role="alert" data-testid="run-error">
          <div className="alert-title">The run failed</div>
          <p className="mono" style={{ whiteSpace: "pre-wrap" }}>
            {run.error ?? "No reason was recorded."}
          </p>
          <p>Check the log below, fix the request and start a new run.</p>
        </div>
      ) : null}
      {run.status === "cancelled" ? (
        <div className="alert alert-warn" role="status">
          This run was cancelled{run.error ? `: ${run.error}` : "."}
        </div>
      ) : null}

      <div className="card">
        <div className="row">
          <span className="phase-label">Phase</span> <strong data-testid="run-phase">{run.phase || "—"}</strong>
          <span className="spacer" />
          <span className="muted small" aria-live="polite" data-testid="stream-state">
            {STREAM_TEXT[stream]}
          </span>
        </div>
        <div style={{ margin: "0.6rem 0" }}>
          <ProgressBar
            value={run.status === "succeeded" ? 1 : run.progress}
            label="Run progress"
            valueText={`${Math.round((run.status === "succeeded" ? 1 : run.progress) * 100)} %${stepText ? `, ${stepText}` : ""}`}
          />
        </div>
        <div className="row small muted">
          <span data-testid="run-progress">{Math.round((run.status === "succeeded" ? 1 : run.progress) * 100)} %</span>
          {stepText ? <span data-testid="run-steps">{stepText}</span> : null}
          {active && run.etaSeconds !== null ? <span data-testid="run-eta">ETA {formatSeconds(run.etaSeconds)}</span> : null}
          {run.rowsPerSecond !== null ? <span data-testid="run-rate">{formatInt(run.rowsPerSecond)} rows/s</span> : null}
          {run.cancelRequested && active ? <span>Cancellation requested…</span> : null}
          <span className="spacer" />
          <span>Created {formatDateTime(run.createdAt)}</span>
          <span>Duration {runDuration(run.startedAt, run.finishedAt)}</span>
        </div>
      </div>

      {run.candidateVersionId ? (
        <div className="card" data-testid="candidate">
          <h2>New version</h2>
          <div className="row">
            <span>
              Version <code>{run.candidateVersionId}</code> of <strong>{run.model}</strong>
            </span>
            {run.candidateServing ? (
              <span className="badge badge-serving" data-testid="serving-badge">
                Serving
              </span>
            ) : (
              <span className="muted">Not serving</span>
            )}
            <span className="spacer" />
            {canOverride ? (
              <button type="button" className="btn btn-primary" onClick={() => setConfirmOpen(true)}>
                Override
              </button>
            ) : null}
          </div>
          {!run.candidateServing && !isAdmin ? (
            <p className="hint">An admin can make this version serve predictions.</p>
          ) : null}
          <ConfirmDialog
            open={confirmOpen}
            title={`Serve this version of ${run.model}?`}
            confirmLabel="Confirm override"
            busy={promote.isPending}
            error={promote.isError ? errorMessage(promote.error) : null}
            onCancel={() => {
              setConfirmOpen(false);
              promote.reset();
            }}
            onConfirm={() => {
              if (run.candidateVersionId) promote.mutate({ model: run.model, versionId: run.candidateVersionId });
            }}
          >
            <p>
              Predictions for <strong>{run.model}</strong> will come from version <code>{run.candidateVersionId}</code>. The
              current version is kept, so you can roll back later.
            </p>
            {oldM ? (
              <table className="table compact" data-testid="override-deltas">
                <caption className="visually-hidden">Old versus new on the held-out rows</caption>
                <TableHead columns={["Metric", numeric("Old"), numeric("New"), numeric("Change")]} />
                <tbody>
                  {SCORE_METRICS.map((m) => (
                    <tr key={m.key}>
                      <th scope="row">{m.label}</th>
                      <td className="num">{formatPercent(oldM[m.key])}</td>
                      <td className="num">{formatPercent(newM?.[m.key])}</td>
                      <td className="num">
                        <Delta oldValue={oldM[m.key]} newValue={newM?.[m.key]} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p>
                {NO_OLD_MODEL}. New accuracy {formatPercent(newM?.accuracy)}, F1 (weighted) {formatPercent(newM?.f1)}, macro F1{" "}
                {formatPercent(newM?.macro_f1)}.
              </p>
            )}
          </ConfirmDialog>
        </div>
      ) : null}

      {hasMetrics ? (
        <section className="card" aria-labelledby="compare-heading" data-testid="compare">
          <h2 id="compare-heading">Old vs new</h2>
          <p className="hint" style={{ marginTop: 0 }}>
            Both models on the same {newM ? newM.samples.toLocaleString("en-US") : ""} held-out rows. Changes are new − old, green when
            better, red when worse.
          </p>
          <div className="grid-2">
            <div>
              <h3>Scores</h3>
              <MetricsBarChart oldMetrics={oldM} newMetrics={newM} />
            </div>
            <div>
              <h3>F1 per class</h3>
              <PerClassF1Chart oldMetrics={oldM} newMetrics={newM} />
            </div>
          </div>
          <details className="numbers" open>
            <summary>Numbers</summary>
            <MetricsTable oldMetrics={oldM} newMetrics={newM} />
            <h3 style={{ marginTop: "1rem" }}>Per class</h3>
            <PerClassTable oldMetrics={oldM} newMetrics={newM} />
          </details>
        </section>
      ) : null}

      {hasMetrics ? (
        <section className="card" aria-labelledby="cm-heading">
          <div className="row">
            <h2 id="cm-heading" style={{ margin: 0 }}>
              Confusion matrices
            </h2>
            <span className="spacer" />
            <fieldset className="segmented" data-testid="matrix-mode">
              <legend className="visually-hidden">Show the confusion matrices as</legend>
              {(
                [
                  ["counts", "Counts"],
                  ["normalised", "Row-normalised %"],
                ] as const
              ).map(([value, label]) => (
                <label key={value}>
                  <input
                    type="radio"
                    name={matrixModeName}
                    value={value}
                    checked={matrixMode === value}
                    onChange={() => setMatrixMode(value)}
                  />
                  {label}
                </label>
              ))}
            </fieldset>
          </div>
          <div className="grid-2" style={{ marginTop: "0.75rem" }}>
            {oldM ? (
              <ConfusionMatrix title="Old (served before this run)" matrix={oldM.confusion_matrix} mode={matrixMode} />
            ) : (
              <div>
                <h3>Old</h3>
                <p className="muted">{NO_OLD_MODEL}.</p>
              </div>
            )}
            {newM ? (
              <ConfusionMatrix title="New (this run)" matrix={newM.confusion_matrix} mode={matrixMode} />
            ) : (
              <div>
                <h3>New</h3>
                <p className="muted">Appears once the new model is evaluated.</p>
              </div>
            )}
          </div>
        </section>
      ) : null}

      <div className="card">
        <h2>Loss</h2>
        <LossChart points={run.lossCurve} />
      </div>

      <div className="card">
        <h2>Data</h2>
        {run.stats ? (
          <>
            <dl className="stats" data-testid="run-stats">
              <Stat label="Rows">{formatInt(run.stats.rows)}</Stat>
              <Stat label="Train">{formatInt(run.stats.trainRows)}</Stat>
              <Stat label="Test">{formatInt(run.stats.testRows)}</Stat>
              {run.stats.skippedRows ? <Stat label="Skipped">{formatInt(run.stats.skippedRows)}</Stat> : null}
            </dl>
            {run.stats.labels && Object.keys(run.stats.labels).length > 0 ? (
              <p className="small muted" style={{ marginTop: "0.6rem" }}>
                Labels:{" "}
                {Object.entries(run.stats.labels)
                  .map(([label, count]) => `${label} (${formatInt(count)})`)
                  .join(", ")}
              </p>
            ) : null}
          </>
        ) : (
          <p className="muted">{active ? "Row counts appear once the rows are fetched." : "No rows were fetched."}</p>
        )}
        <details>
          <summary>Request</summary>
          <pre className="mono small" style={{ overflowX: "auto" }}>
            {JSON.stringify(run.request, null, 2)}
          </pre>
        </details>
      </div>

      <div className="card">
        <h2>Log</h2>
        <RunLogView lines={lines} emptyText={active ? "Waiting for the first log line…" : "This run wrote no log lines."} />
      </div>
    </section>
  );
}
