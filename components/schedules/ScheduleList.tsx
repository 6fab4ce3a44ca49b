"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import type { ScheduleView } from "@/lib/schedules/schema";
import { apiFetch } from "../api";
import { ConfirmDialog } from "../ConfirmDialog";
import { ErrorBox } from "../ErrorBox";
import { formatDateTime } from "../format";
import { RunLink } from "../RunCells";
import { ACTIONS, Table } from "../Table";
import { useConfirmedMutation } from "../useConfirmedMutation";
import { schedulesQueryKey, useSchedules } from "./useSchedules";

/** The auto-promotion rule in words: "accuracy +0.5 pp, ≥ 50 test rows". */
export function describeRule(rule: ScheduleView["autoPromote"]): string {
  if (!rule) return "off";
  return `${rule.metric} ${rule.minDelta >= 0 ? "+" : "−"}${Math.abs(rule.minDelta * 100).toFixed(1)} pp, ≥ ${rule.minTestRows} test rows`;
}

/** Schedules (all, or one model's) with their next tick, last run and last skipped tick; admins enable, disable and delete. */
export function ScheduleList({ model, isAdmin, compact = false }: { model?: string; isAdmin: boolean; compact?: boolean }) {
  const queryClient = useQueryClient();
  const query = useSchedules(model);
  const invalidate = () => void queryClient.invalidateQueries({ queryKey: schedulesQueryKey });
  const toggle = useMutation({
    mutationFn: (s: ScheduleView) => apiFetch(`/api/schedules/${encodeURIComponent(s.id)}`, { method: "PATCH", body: { enabled: !s.enabled } }),
    onSuccess: invalidate,
  });
  const remove = useConfirmedMutation((s: ScheduleView) => apiFetch(`/api/schedules/${encodeURIComponent(s.id)}`, { method: "DELETE" }), invalidate);

  if (query.isError) return <ErrorBox error={query.error} title="Could not list the schedules" />;
  if (!query.data) return null;
  const schedules = query.data.schedules;
  if (schedules.length === 0) {
    if (compact) {
      return (
        <p className="small muted" data-testid="schedules-empty" style={{ marginTop: "0.75rem" }}>
          No retraining schedule.{isAdmin ? <> Add one in <Link href="/settings#schedules">Settings</Link>.</> : null}
        </p>
      );
    }
    return <p className="muted">No schedules yet.</p>;
  }
  return (
    <div data-testid="schedules" style={compact ? { marginTop: "0.75rem" } : undefined}>
      {compact ? <h3 className="h-label">Retraining schedules</h3> : null}
      {toggle.isError ? <ErrorBox error={toggle.error} title="Could not change the schedule" /> : null}
      <Table columns={[...(model ? [] : ["Model"]), "Cron (UTC)", "Next tick", "Last run", "Last skipped", "Auto-promote", ...(isAdmin ? [ACTIONS] : [])]} testId="schedules-table">
        {schedules.map((s) => (
          <tr key={s.id} data-testid="schedule-row" data-schedule={s.id}>
            {model ? null : <td>{s.model}</td>}
            <td>
              <code style={{ whiteSpace: "nowrap" }}>{s.cron}</code>
            </td>
            <td className="small">{s.enabled ? formatDateTime(s.nextRunAt) : <span className="badge badge-cancelled">disabled</span>}</td>
            <td className="small">
              {s.lastRun ? (
                <>
                  <RunLink id={s.lastRun.id} /> <span className={`badge badge-${s.lastRun.status}`}>{s.lastRun.status}</span>
                </>
              ) : (
                "never"
              )}
            </td>
            <td className="small" data-testid="schedule-skip">
              {s.lastSkippedAt ? (
                <>
                  {formatDateTime(s.lastSkippedAt)}: {s.lastSkipReason}
                </>
              ) : (
                "—"
              )}
            </td>
            <td className="small">{describeRule(s.autoPromote)}</td>
            {isAdmin ? (
              <td>
                <div className="row">
                  <button type="button" className="btn btn-small" disabled={toggle.isPending} onClick={() => toggle.mutate(s)} aria-label={`${s.enabled ? "Disable" : "Enable"} the schedule ${s.cron} of ${s.model}`}>
                    {s.enabled ? "Disable" : "Enable"}
                  </button>
                  <button type="button" className="btn btn-small btn-danger" onClick={() => remove.ask(s)} aria-label={`Delete the schedule ${s.cron} of ${s.model}`}>
                    Delete
                  </button>
                </div>
              </td>
            ) : null}
          </tr>
        ))}
      </Table>
      <ConfirmDialog {...remove.dialog} title={`Delete the schedule ${remove.target?.cron ?? ""} of ${remove.target?.model ?? ""}?`} confirmLabel="Delete schedule">
        <p>No more runs are queued by it. Its past runs stay.</p>
      </ConfirmDialog>
    </div>
  );
}
