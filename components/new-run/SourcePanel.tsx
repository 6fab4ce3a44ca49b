"use client";

import { useQuery } from "@tanstack/react-query";
import { guessColumns } from "@/lib/data/columns";
import type { NewRowsCount } from "@/lib/runs/new-rows";
import { apiFetch } from "../api";
import { rowCountText, type TableSummary } from "../data/useTables";
import { Field, NumberInput } from "./Field";
import { splitColumns } from "./requestFields";
import type { NewRunFormState } from "./useNewRunForm";

/** The table a request names (exact, else case-insensitive), when the catalogue lists it. */
export function chosenTable(form: NewRunFormState): TableSummary | null {
  const name = typeof form.request?.table === "string" ? form.request.table : "";
  return form.tables.data?.find((t) => t.name === name || t.name.toLowerCase() === name.toLowerCase()) ?? null;
}

const SPLIT_HINTS: Record<string, string> = {
  stable: "a test row stays a test row as the table grows",
  positional: "the first rows in key order train, the rest test",
  random: "stratified shuffle by the random seed; test rows change with it",
};

function newRowsHint(count: NewRowsCount | undefined, failed: boolean): string {
  if (failed) return "all rows, or only those the serving version has not trained on";
  if (!count) return "choose a table and columns to count new rows";
  if (!count.serving) return `nothing serves yet: all ${count.rows.toLocaleString("en-US")} rows are new`;
  if (count.newRows === null) return "the serving version has no record of its rows: train on all rows once";
  return `${count.newRows.toLocaleString("en-US")} of ${count.rows.toLocaleString("en-US")} rows are new to the serving version`;
}

/** How many rows of the chosen table the model's serving version has not trained on. */
function useNewRows(model: string, table: string, columns: string, limit: unknown) {
  const lim = typeof limit === "number" && Number.isInteger(limit) && limit > 0 ? String(limit) : "";
  return useQuery({
    queryKey: ["new-rows", model, table, columns, lim],
    enabled: model !== "" && table !== "" && columns !== "",
    queryFn: ({ signal }) =>
      apiFetch<NewRowsCount>(`/api/models/${encodeURIComponent(model)}/new-rows?${new URLSearchParams({ table, columns, limit: lim })}`, { signal }),
    retry: false,
    staleTime: 30_000,
  });
}

/** Where the rows come from: model, table, label and text columns, row limit and split. */
export function SourcePanel({ form, disabled }: { form: NewRunFormState; disabled: boolean }) {
  const { request, tables } = form;
  const tableName = typeof request?.table === "string" ? request.table : "";
  const cols = splitColumns(request?.columns);
  const table = chosenTable(form);
  const modelName = typeof request?.model === "string" ? request.model : "";
  const defaultModel = form.models.find((m) => m.isDefault);
  const columnIssues = form.issuesFor("columns");

  function chooseTable(name: string) {
    const t = tables.data?.find((x) => x.name === name);
    const guess = t ? guessColumns(t.columns.map((c) => c.name)) : { label: null, text: null };
    const keep = t && t.columns.some((c) => c.name === cols.label) && t.columns.some((c) => c.name === cols.text);
    form.writeFields({
      table: name,
      columns: keep ? `${cols.label},${cols.text}` : guess.label && guess.text ? `${guess.label},${guess.text}` : undefined,
    });
    form.touch("table");
  }

  function chooseColumn(which: "label" | "text", name: string) {
    const next = { ...cols, [which]: name };
    form.choose("columns", next.label || next.text ? `${next.label},${next.text}` : undefined);
  }

  const columnSelect = (which: "label" | "text") => (
    <select
      id={`nr-${which}`}
      value={cols[which]}
      onChange={(e) => chooseColumn(which, e.target.value)}
      aria-invalid={columnIssues.length ? true : undefined}
      aria-describedby={columnIssues.length ? "nr-columns-error" : undefined}
    >
      <option value="">Choose…</option>
      {(table?.columns ?? []).map((c) => (
        <option key={c.name} value={c.name}>
          {c.name} ({c.type})
        </option>
      ))}
      {cols[which] && !table?.columns.some((c) => c.name === cols[which]) ? <option value={cols[which]}>{cols[which]} (not a column)</option> : null}
    </select>
  );

  const splitKind = typeof request?.split === "string" ? request.split : "stable";
  const rowsChoice = typeof request?.rows === "string" ? request.rows : "all";
  const newRows = useNewRows(modelName || defaultModel?.name || "", table ? table.name : "", cols.label && cols.text ? `${cols.label},${cols.text}` : "", request?.limit);
  const share = typeof request?.p_of_train === "number" && request.p_of_train > 0 && request.p_of_train < 1 ? Math.round(request.p_of_train * 100) : null;

  return (
    <fieldset className="fieldset" disabled={disabled}>
      <legend>Data</legend>
      <div className="form-grid">
        <Field id="nr-model" label="Model" issues={form.issuesFor("model")} hint="the configured model to fine-tune">
          <select id="nr-model" value={modelName} onChange={(e) => form.choose("model", e.target.value || undefined)}>
            <option value="">Default model{defaultModel ? ` (${defaultModel.name})` : ""}</option>
            {form.models.map((m) => (
              <option key={m.name} value={m.name}>
                {m.name}
                {m.servingVersionId ? "" : " (not trained yet)"}
              </option>
            ))}
            {modelName && !form.models.some((m) => m.name === modelName) ? <option value={modelName}>{modelName} (not configured)</option> : null}
          </select>
        </Field>
        <Field id="nr-table" label="Table" issues={form.issuesFor("table")} hint={table ? rowCountText(table) : "a table in the database"}>
          <select id="nr-table" value={tableName} onChange={(e) => chooseTable(e.target.value)} aria-busy={tables.isLoading}>
            {tableName === "" ? <option value="">Choose a table…</option> : null}
            {(tables.data ?? []).map((t) => (
              <option key={t.name} value={t.name}>
                {t.name} ({rowCountText(t)})
              </option>
            ))}
            {tableName && !table ? <option value={tableName}>{tableName}{tables.isSuccess ? " (not found)" : ""}</option> : null}
          </select>
        </Field>
        <Field id="nr-label" label="Label column" issues={[]} hint="the class of each row">
          {columnSelect("label")}
        </Field>
        <Field id="nr-text" label="Text column" issues={[]} hint="what the model reads">
          {columnSelect("text")}
        </Field>
        {columnIssues.length ? (
          <p className="field-error form-grid-wide" id="nr-columns-error" role="alert" data-testid="field-error" data-field="columns">
            {columnIssues.join("; ")}
          </p>
        ) : null}
        <Field id="nr-limit" label="Row limit" issues={form.issuesFor("limit")} hint={table ? `empty: all ${rowCountText(table)}` : "empty: every row"}>
          <NumberInput form={form} name="limit" id="nr-limit" integer placeholder="all rows" />
        </Field>
        <Field
          id="nr-p_of_train"
          label="Training share (p_of_train)"
          issues={form.issuesFor("p_of_train")}
          hint={share !== null ? `${share} % train, ${100 - share} % held out` : "between 0 and 1; the rest is held out"}
        >
          <NumberInput form={form} name="p_of_train" id="nr-p_of_train" placeholder="0.8" />
        </Field>
        <Field id="nr-split" label="Split" issues={form.issuesFor("split")} hint={SPLIT_HINTS[splitKind] ?? ""}>
          <select id="nr-split" value={splitKind} onChange={(e) => form.choose("split", e.target.value === "stable" ? undefined : e.target.value)}>
            <option value="stable">stable (by row key)</option>
            <option value="positional">positional (first rows train)</option>
            <option value="random">random (shuffled by the random seed)</option>
            {!(splitKind in SPLIT_HINTS) ? <option value={splitKind}>{splitKind} (not a split)</option> : null}
          </select>
        </Field>
        <Field id="nr-rows" label="Rows to train on" issues={form.issuesFor("rows")} hint={newRowsHint(newRows.data, newRows.isError)}>
          <select id="nr-rows" value={rowsChoice} onChange={(e) => form.choose("rows", e.target.value === "all" ? undefined : e.target.value)}>
            <option value="all">all rows</option>
            <option value="new">new rows only (warm start)</option>
            {rowsChoice !== "all" && rowsChoice !== "new" ? <option value={rowsChoice}>{rowsChoice} (not a choice)</option> : null}
          </select>
        </Field>
      </div>
    </fieldset>
  );
}
