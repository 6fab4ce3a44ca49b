"use client";

import { useId } from "react";
import { RUN_STATUSES } from "@/lib/validations/run-list-query";
import { useModels } from "../models/useModels";
import { useDebouncedParam, type RunsView } from "./useRunsView";

/** The Runs list's search and filters; every change goes to the page's URL. */
export function RunsFilters({ view, update, filtered }: { view: RunsView; update: (patch: Partial<RunsView>) => void; filtered: boolean }) {
  const id = useId();
  const models = useModels();
  const [q, setQ] = useDebouncedParam(view.q, (v) => update({ q: v }));
  const [table, setTable] = useDebouncedParam(view.table, (v) => update({ table: v }));
  const [tag, setTag] = useDebouncedParam(view.tag, (v) => update({ tag: v }));
  const modelNames = models.data?.models.map((m) => m.name) ?? [];

  return (
    <form className="runs-filters" role="search" aria-label="Search and filter runs" onSubmit={(e) => e.preventDefault()}>
      <div className="field">
        <label htmlFor={`${id}-q`}>Search</label>
        <input id={`${id}-q`} type="search" placeholder="Name, notes, table or id" value={q} onChange={(e) => setQ(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-status`}>Status</label>
        <select id={`${id}-status`} value={view.status} onChange={(e) => update({ status: e.target.value })}>
          <option value="">All</option>
          {RUN_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s[0]!.toUpperCase() + s.slice(1)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-model`}>Model</label>
        <select id={`${id}-model`} value={view.model} onChange={(e) => update({ model: e.target.value })}>
          <option value="">All</option>
          {[...new Set([...modelNames, ...(view.model ? [view.model] : [])])].map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-table`}>Table</label>
        <input id={`${id}-table`} type="text" className="mono" value={table} onChange={(e) => setTable(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-tag`}>Tag</label>
        <input id={`${id}-tag`} type="text" value={tag} onChange={(e) => setTag(e.target.value)} />
      </div>
      {filtered ? (
        <button type="button" className="btn btn-small" onClick={() => update({ q: "", status: "", model: "", table: "", tag: "" })}>
          Clear filters
        </button>
      ) : null}
    </form>
  );
}
