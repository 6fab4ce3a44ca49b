"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { AUTO_PROMOTE_METRICS, type AutoPromoteMetric, type ScheduleView } from "@/lib/schedules/schema";
import { ApiRequestError, apiFetch, errorMessage } from "../api";
import { useModels } from "../models/useModels";
import { TextField } from "../TextField";
import { schedulesQueryKey } from "./useSchedules";
import { IssueList } from "../IssueList";

// Creates a schedule: model, cron (UTC; 5 fields, or 6 with seconds first), the run request as
// JSON (as POST /api/runs takes it, without "model"), and an optional auto-promotion rule. The
// API checks everything; its issues are shown by field.

const EXAMPLE_REQUEST = '{\n  "table": "demo_email",\n  "columns": "label,text"\n}';

type Issue = { path: string; message: string };

export function ScheduleForm() {
  const id = useId();
  const queryClient = useQueryClient();
  const models = useModels();
  const [model, setModel] = useState("");
  const [cron, setCron] = useState("0 3 * * *");
  const [request, setRequest] = useState(EXAMPLE_REQUEST);
  const [autoPromote, setAutoPromote] = useState(false);
  const [metric, setMetric] = useState<AutoPromoteMetric>("accuracy");
  const [minDeltaPoints, setMinDeltaPoints] = useState("0.5");
  const [minTestRows, setMinTestRows] = useState("50");
  const [issues, setIssues] = useState<Issue[]>([]);
  const [created, setCreated] = useState<ScheduleView | null>(null);

  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) => apiFetch<ScheduleView>("/api/schedules", { method: "POST", body }),
    onSuccess: (s) => {
      setCreated(s);
      setIssues([]);
      void queryClient.invalidateQueries({ queryKey: schedulesQueryKey });
    },
    onError: (err) => setIssues(err instanceof ApiRequestError && err.issues.length ? err.issues : [{ path: "(request)", message: errorMessage(err) }]),
  });

  const issueOf = (...paths: string[]) =>
    issues
      .filter((i) => paths.some((p) => i.path === p || i.path.startsWith(`${p}.`)))
      .map((i) => (i.path.includes(".") ? `${i.path.split(".").slice(1).join(".")}: ${i.message}` : i.message))
      .join("; ") || null;

  const chosen = model || models.data?.models.find((m) => m.isDefault)?.name || models.data?.models[0]?.name || "";

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setCreated(null);
    let parsed: unknown;
    try {
      parsed = JSON.parse(request);
    } catch (err) {
      setIssues([{ path: "request", message: `is not valid JSON (${(err as Error).message})` }]);
      return;
    }
    const body: Record<string, unknown> = { model: chosen, cron, request: parsed };
    if (autoPromote) body.autoPromote = { metric, minDelta: Number(minDeltaPoints) / 100, minTestRows: Number(minTestRows) };
    create.mutate(body);
  }

  const known = new Set(["model", "cron", "request", "autoPromote"]);
  const other = issues.filter((i) => !known.has(i.path.split(".")[0]!));
  return (
    <form className="subform" onSubmit={onSubmit} noValidate aria-labelledby={`${id}-h`} data-testid="schedule-form">
      <h3 id={`${id}-h`}>Add a schedule</h3>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={`${id}-model`}>Model</label>
          <select id={`${id}-model`} value={chosen} onChange={(e) => setModel(e.target.value)} aria-describedby={`${id}-model-note`}>
            {(models.data?.models ?? []).map((m) => (
              <option key={m.name} value={m.name}>
                {m.name}
                {m.isDefault ? " (default)" : ""}
              </option>
            ))}
          </select>
          {issueOf("model") ? (
            <p className="field-error" id={`${id}-model-note`}>
              {issueOf("model")}
            </p>
          ) : null}
        </div>
        <TextField
          id={`${id}-cron`}
          label="Cron (UTC)"
          type="text"
          className="mono"
          value={cron}
          onChange={(e) => setCron(e.target.value)}
          error={issueOf("cron")}
          hint={
            <>
              <code>0 3 * * *</code> every day at 03:00; 6 fields put seconds first
            </>
          }
        />
        <div className="field form-grid-wide">
          <label htmlFor={`${id}-req`}>Run request (JSON, as for POST /api/runs, without &quot;model&quot;)</label>
          <textarea
            id={`${id}-req`}
            className="code"
            rows={Math.min(12, Math.max(4, request.split("\n").length + 1))}
            value={request}
            spellCheck={false}
            onChange={(e) => setRequest(e.target.value)}
            aria-invalid={issueOf("request") ? true : undefined}
            aria-describedby={`${id}-req-note`}
          />
          <p className={issueOf("request") ? "field-error" : "hint"} id={`${id}-req-note`} data-testid="schedule-request-issues">
            {issueOf("request") ?? "Training defaults fill what it leaves out, at each tick."}
          </p>
        </div>
        <div className="checkbox-field form-grid-wide">
          <input id={`${id}-auto`} type="checkbox" checked={autoPromote} onChange={(e) => setAutoPromote(e.target.checked)} />
          <label htmlFor={`${id}-auto`}>Auto-promote when the comparison is fair and the metric improves</label>
        </div>
        {autoPromote ? (
          <>
            <div className="field">
              <label htmlFor={`${id}-metric`}>Metric</label>
              <select id={`${id}-metric`} value={metric} onChange={(e) => setMetric(e.target.value as AutoPromoteMetric)}>
                {AUTO_PROMOTE_METRICS.map((m) => (
                  <option key={m} value={m}>
                    {m}
                  </option>
                ))}
              </select>
            </div>
            <TextField
              id={`${id}-delta`}
              label="Least gain (percentage points)"
              type="text"
              inputMode="decimal"
              value={minDeltaPoints}
              onChange={(e) => setMinDeltaPoints(e.target.value)}
              error={issueOf("autoPromote.minDelta")}
              hint="0.5 = half a point better than the serving version"
            />
            <TextField
              id={`${id}-rows`}
              label="Least test rows"
              type="text"
              inputMode="numeric"
              value={minTestRows}
              onChange={(e) => setMinTestRows(e.target.value)}
              error={issueOf("autoPromote.minTestRows")}
              hint="rows neither version trained on"
            />
          </>
        ) : null}
      </div>
      {other.length || (issueOf("autoPromote") && !autoPromote) ? (
        <div className="alert alert-error" role="alert">
          <IssueList issues={issues.filter((i) => other.includes(i) || i.path.startsWith("autoPromote"))} />
        </div>
      ) : null}
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={create.isPending || !models.data}>
          Add schedule
        </button>
        <span className="small muted" role="status">
          {create.isPending ? "Saving…" : created ? `Added: the next run is queued ${created.nextRunAt ? new Date(created.nextRunAt).toLocaleString() : "—"}.` : ""}
        </span>
      </div>
    </form>
  );
}
