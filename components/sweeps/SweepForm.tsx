"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { MAX_SWEEP_POINTS, parseValueList, type SweepView } from "@/lib/sweeps/spec";
import { ApiRequestError, apiFetch, errorMessage } from "../api";
import { sweepsQueryKey } from "./useSweeps";
import { IssueList } from "../IssueList";

// New sweep: the run request as JSON (as POST /api/runs takes it) and the grid, one training
// argument a line with its values comma-separated. The API checks the request, every point and
// the cap; its issues are listed by field ("grid.learning_rate[2]", "request.table").

interface ArgRow {
  key: number;
  name: string;
  values: string;
}

type Issue = { path: string; message: string };

export function SweepForm({ initialRequest }: { initialRequest: string }) {
  const id = useId();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [request, setRequest] = useState(initialRequest);
  const [rows, setRows] = useState<ArgRow[]>([{ key: 0, name: "learning_rate", values: "0.01, 0.1" }]);
  const [nextKey, setNextKey] = useState(1);
  const [issues, setIssues] = useState<Issue[]>([]);

  const create = useMutation({
    mutationFn: (body: unknown) => apiFetch<SweepView>("/api/sweeps", { method: "POST", body }),
    onSuccess: (s) => {
      void queryClient.invalidateQueries({ queryKey: sweepsQueryKey });
      router.push(`/sweeps/${s.id}`);
    },
    onError: (err) => setIssues(err instanceof ApiRequestError && err.issues.length ? err.issues : [{ path: "(request)", message: errorMessage(err) }]),
  });

  const used = rows.filter((r) => r.name.trim());
  const points = used.reduce((n, r) => n * parseValueList(r.values).length, used.length ? 1 : 0);
  const update = (key: number, patch: Partial<ArgRow>) => setRows(rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    let parsed: unknown;
    try {
      parsed = JSON.parse(request);
    } catch (err) {
      setIssues([{ path: "request", message: `is not valid JSON (${(err as Error).message})` }]);
      return;
    }
    setIssues([]);
    create.mutate({ request: parsed, grid: Object.fromEntries(used.map((r) => [r.name.trim(), parseValueList(r.values)])) });
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby={`${id}-h`} data-testid="sweep-form">
      <h2 id={`${id}-h`}>New sweep</h2>
      <div className="field">
        <label htmlFor={`${id}-req`}>Run request (JSON, as for a new run)</label>
        <textarea
          id={`${id}-req`}
          className="code"
          rows={Math.min(12, Math.max(4, request.split("\n").length + 1))}
          value={request}
          spellCheck={false}
          onChange={(e) => setRequest(e.target.value)}
        />
        <p className="hint">The training defaults fill what it leaves out; each point&apos;s values replace the request&apos;s.</p>
      </div>
      <fieldset className="fieldset">
        <legend>Grid: one training argument a line, its values comma-separated</legend>
        {rows.map((r, i) => (
          <div className="row sweep-arg" key={r.key} data-testid="sweep-arg">
            <input
              type="text"
              className="mono"
              style={{ flex: "1 1 10rem", minWidth: 0 }}
              aria-label={`Argument ${i + 1} name`}
              placeholder="num_train_epochs"
              value={r.name}
              onChange={(e) => update(r.key, { name: e.target.value })}
            />
            <input
              type="text"
              className="mono"
              style={{ flex: "1 1 10rem", minWidth: 0 }}
              aria-label={`Argument ${i + 1} values`}
              placeholder="1, 2, 3"
              value={r.values}
              onChange={(e) => update(r.key, { values: e.target.value })}
            />
            <button type="button" className="btn btn-small" onClick={() => setRows(rows.filter((x) => x.key !== r.key))} disabled={rows.length === 1}>
              Remove
            </button>
          </div>
        ))}
        <button
          type="button"
          className="btn btn-small"
          onClick={() => {
            setRows([...rows, { key: nextKey, name: "", values: "" }]);
            setNextKey(nextKey + 1);
          }}
        >
          Add argument
        </button>
      </fieldset>
      {issues.length ? (
        <div className="alert alert-error" role="alert" data-testid="sweep-issues">
          <IssueList issues={issues} />
        </div>
      ) : null}
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={create.isPending || points === 0 || points > MAX_SWEEP_POINTS}>
          Start sweep
        </button>
        <span className={points > MAX_SWEEP_POINTS ? "field-error" : "small muted"} role="status" data-testid="sweep-points">
          {create.isPending
            ? "Queueing…"
            : `${points} ${points === 1 ? "run" : "runs"}${points > MAX_SWEEP_POINTS ? `: a sweep queues at most ${MAX_SWEEP_POINTS}` : ""}`}
        </span>
      </div>
    </form>
  );
}
