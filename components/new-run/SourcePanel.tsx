"use client";

import { guessColumns } from "@/lib/data/columns";
import { rowCountText, type TableSummary } from "../data/useTables";
import { Field, NumberInput } from "./Field";
import { splitColumns } from "./requestFields";
import type { NewRunFormState } from "./useNewRunForm";

/** The table a request names (exact, else case-insensitive), when the catalogue lists it. */
export function chosenTable(form: NewRunFormState): TableSummary | null {
  const name = typeof form.request?.table === "string" ? form.request.table : "";
  return form.tables.data?.find((t) => t.name === name || t.name.toLowerCase() === name.toLowerCase()) ?? null;
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
          id="nr-split"
          label="Training share (p_of_train)"
          issues={form.issuesFor("p_of_train")}
          hint={share !== null ? `${share} % train, ${100 - share} % held out (shuffled)` : "between 0 and 1; the rest is held out"}
        >
          <NumberInput form={form} name="p_of_train" id="nr-split" placeholder="0.8" />
        </Field>
      </div>
    </fieldset>
  );
}
