"use client";

import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect } from "react";
import type { RunView } from "@/lib/runs/types";
import { apiFetch } from "../api";
import { ConfirmDialog } from "../ConfirmDialog";
import { isActive, StatusBadge } from "../StatusBadge";
import { useConfirmedMutation } from "../useConfirmedMutation";
import { runQueryKey } from "./useRunEvents";

/** The run's title (its name, else its id) and status, Cancel (admins, while it moves), and why it failed or was cancelled. */
export function RunHeader({ run, isAdmin }: { run: RunView; isAdmin: boolean }) {
  const queryClient = useQueryClient();
  const cancel = useConfirmedMutation(
    (id: string) => apiFetch<RunView>(`/api/runs/${encodeURIComponent(id)}/cancel`, { method: "POST", body: {} }),
    (next) => {
      queryClient.setQueryData(runQueryKey(next.id), next);
      void queryClient.invalidateQueries({ queryKey: ["runs"] });
    },
  );
  const active = isActive(run.status);
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
