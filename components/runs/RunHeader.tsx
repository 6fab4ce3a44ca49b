"use client";

import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect } from "react";
import type { RunView } from "@/lib/runs/types";
import { apiFetch } from "../api";
import { ConfirmDialog } from "../ConfirmDialog";
import { isActive, StatusBadge } from "../StatusBadge";
import { useConfirmedMutation } from "../useConfirmedMutation";
import { RunDownloads } from "./RunDownloads";
import { runQueryKey } from "./useRunEvents";

/** POST /api/runs/:id/<what> behind a confirm dialog; the answer replaces the cached run. */
function useRunAction(what: "cancel" | "stop") {
  const queryClient = useQueryClient();
  return useConfirmedMutation(
    (id: string) => apiFetch<RunView>(`/api/runs/${encodeURIComponent(id)}/${what}`, { method: "POST", body: {} }),
    (next) => {
      queryClient.setQueryData(runQueryKey(next.id), next);
      void queryClient.invalidateQueries({ queryKey: ["runs"] });
    },
  );
}

/**
 * The run's title (its name, else its id) and status; Cancel (admins, while it moves) and "Stop and keep the best so far"
 * (admins, while it runs); why it failed or was cancelled.
 */
export function RunHeader({ run, isAdmin }: { run: RunView; isAdmin: boolean }) {
  const cancel = useRunAction("cancel");
  const stop = useRunAction("stop");
  const active = isActive(run.status);
  const stoppable = run.status === "running" && !run.cancelRequested;
  const title = run.name ?? run.id;
  // The browser tab names the run too (the page's metadata only says "Run").
  useEffect(() => {
    document.title = `${title} · Fine-tuning dashboard`;
  }, [title]);

  return (
    <>
      <div className="page-header">
        <div>
          <p className="small muted" style={{ margin: 0 }}>
            <Link href="/runs">Runs</Link> / <span className="mono">{run.id}</span>
            {run.trigger === "schedule" ? (
              <span data-testid="run-trigger">
                {" "}
                · queued by a <Link href="/settings#schedules">schedule</Link>
              </span>
            ) : run.trigger === "api" ? (
              <span data-testid="run-trigger"> · queued over the API</span>
            ) : null}
          </p>
          <h1 id="run-heading" className="row">
            <span className={run.name ? undefined : "mono"} data-testid="run-title">
              {run.name ?? run.id}
            </span>{" "}
            <span className="run-title-sub">Run on {run.model}</span> <StatusBadge status={run.status} />
          </h1>
        </div>
        <div className="row">
          {run.metrics.old || run.metrics.new || run.lossCurve.length > 0 ? <RunDownloads runId={run.id} /> : null}
          {stoppable && isAdmin ? (
            <button type="button" className="btn" onClick={() => stop.ask(run.id)} disabled={stop.dialog.busy || run.stopRequested} data-testid="stop-keep-best">
              {run.stopRequested ? "Stopping…" : "Stop and keep the best so far"}
            </button>
          ) : null}
          {active && isAdmin ? (
            <button type="button" className="btn btn-danger" onClick={() => cancel.ask(run.id)} disabled={cancel.dialog.busy || run.cancelRequested}>
              {run.cancelRequested ? "Cancelling…" : "Cancel run"}
            </button>
          ) : null}
        </div>
      </div>

      {isAdmin && active ? (
        <ConfirmDialog {...cancel.dialog} title="Cancel this run?" confirmLabel="Cancel run" cancelLabel="Keep running">
          <p>The worker stops at its next check and the run ends as cancelled. No new version is stored, and what serves now keeps serving.</p>
        </ConfirmDialog>
      ) : null}
      {isAdmin && stoppable ? (
        <ConfirmDialog {...stop.dialog} title="Stop training and keep the best so far?" confirmLabel="Stop and keep" cancelLabel="Keep training">
          <p>
            Training ends at its next step (not before its first epoch is done). The weights of its best evaluation so far (or the last ones, when it does
            not evaluate) are then evaluated on the test rows and saved as a candidate version, as after a full run. Nothing serves until you press Override.
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
    </>
  );
}
