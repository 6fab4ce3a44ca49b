"use client";

import { useQuery } from "@tanstack/react-query";
import type { ErrorsView } from "@/lib/runs/web/errors";
import { apiFetch } from "../api";
import { ErrorBox } from "../ErrorBox";
import { formatInt, formatPercent } from "../format";

export interface ErrorFilter {
  true?: string;
  predicted?: string;
}

const PAGE = 20;

/** The new model's mistakes on the scored test rows (or one confusion-matrix cell's rows), with their texts. */
export function ErrorsPanel({ runId, labels, filter, onFilter, page, onPage }: {
  runId: string;
  labels: string[];
  filter: ErrorFilter;
  onFilter: (f: ErrorFilter) => void;
  page: number;
  onPage: (p: number) => void;
}) {
  const params = new URLSearchParams({ limit: String(PAGE), offset: String(page * PAGE) });
  if (filter.true) params.set("true", filter.true);
  if (filter.predicted) params.set("predicted", filter.predicted);
  const q = useQuery({
    queryKey: ["run-errors", runId, filter.true ?? "", filter.predicted ?? "", page],
    queryFn: ({ signal }) => apiFetch<ErrorsView>(`/api/runs/${encodeURIComponent(runId)}/errors?${params}`, { signal }),
  });
  const cell = filter.true !== undefined && filter.predicted !== undefined;
  const title = cell ? `True ${filter.true}, predicted ${filter.predicted}` : "Mistakes";
  const select = (which: "true" | "predicted", label: string) => (
    <label className="small">
      {label}{" "}
      <select value={filter[which] ?? ""} onChange={(e) => { onFilter({ ...filter, [which]: e.target.value || undefined }); onPage(0); }} data-testid={`errors-${which}`}>
        <option value="">any</option>
        {labels.map((l) => (
          <option key={l} value={l}>
            {l}
          </option>
        ))}
      </select>
    </label>
  );
  const total = q.data?.total ?? 0;
  return (
    <section className="card" aria-labelledby="errors-heading" id="run-errors" data-testid="errors">
      <h2 id="errors-heading">{title}</h2>
      <div className="row" style={{ gap: "0.75rem", flexWrap: "wrap" }}>
        {select("true", "True label")}
        {select("predicted", "Predicted")}
        <span className="muted small" role="status" data-testid="errors-total">
          {q.data ? `${formatInt(total)} ${cell ? "rows" : total === 1 ? "mistake" : "mistakes"}` : ""}
        </span>
      </div>
      {q.isError ? <ErrorBox error={q.error} title="Could not load the rows" /> : null}
      {q.data?.textsUnavailable ? <p className="hint">Texts unavailable: {q.data.textsUnavailable}</p> : null}
      {q.data && q.data.rows.length === 0 ? <p className="muted">{cell ? "No rows in this cell." : "No mistakes here."}</p> : null}
      <ul className="errors-list">
        {(q.data?.rows ?? []).map((r) => (
          <li key={r.key} data-testid="error-row">
            <div className="small">
              <code>{r.key}</code> · true <strong>{r.label}</strong> · predicted <strong>{r.predicted}</strong> ({formatPercent(r.scores[r.predicted])})
            </div>
            <p className="errors-text">{r.text ?? <span className="muted">(this row is no longer in the table)</span>}</p>
          </li>
        ))}
      </ul>
      {total > PAGE ? (
        <div className="row" style={{ marginTop: "0.5rem" }}>
          <button type="button" className="btn" disabled={page === 0} onClick={() => onPage(page - 1)}>
            Previous
          </button>
          <span className="small muted">
            {page * PAGE + 1}–{Math.min(total, (page + 1) * PAGE)} of {formatInt(total)}
          </span>
          <button type="button" className="btn" disabled={(page + 1) * PAGE >= total} onClick={() => onPage(page + 1)}>
            Next
          </button>
        </div>
      ) : null}
    </section>
  );
}
