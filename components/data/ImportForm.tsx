"use client";

import Link from "next/link";
import { useId } from "react";
import { MAX_IMPORT_BYTES } from "@/lib/validations/import";
import { ApiRequestError, errorMessage } from "../api";
import { formatInt } from "../format";
import { ImportReport } from "./ImportReport";
import { useImport, type ImportState } from "./useImport";

/**
 * Import a CSV or JSONL file into a new labelled-text table: check it first (fields, accepted and
 * rejected lines, labels), then create the table. Nothing is created until "Create table".
 */
export function ImportForm() {
  const ids = { file: useId(), table: useId(), label: useId(), text: useId(), dedupe: useId() };
  const form = useImport();
  const { check, create, report, issueFor } = form;
  const tableIssues = [form.nameError, ...issueFor("table")].filter(Boolean);
  const checkIssues = check.error instanceof ApiRequestError && check.error.issues.length > 0;

  return (
    <form className="card import-form" onSubmit={form.runCheck} noValidate aria-labelledby="import-heading">
      <h2 id="import-heading">Import a CSV or JSONL file</h2>
      <p className="hint">
        A CSV with a header line, or JSON Lines (one object per line). The new table has the columns <code>id</code>, <code>label</code> and{" "}
        <code>text</code>; lines without a label or text are rejected and listed. Up to {MAX_IMPORT_BYTES / 1024 / 1024} MB.
      </p>
      <div className="form-grid">
        <div className="field form-grid-wide">
          <label htmlFor={ids.file}>File</label>
          <input
            id={ids.file}
            type="file"
            accept=".csv,.tsv,.txt,.jsonl,.ndjson,.json,text/csv,application/x-ndjson"
            onChange={(e) => form.chooseFile(e.target.files?.[0] ?? null)}
          />
          {issueFor("file").length ? <p className="field-error">{issueFor("file").join("; ")}</p> : null}
        </div>
        {report ? (
          <>
            <FieldSelect id={ids.label} form={form} which="label" label="Label field" path="labelColumn" />
            <FieldSelect id={ids.text} form={form} which="text" label="Text field" path="textColumn" />
          </>
        ) : null}
        {form.file ? (
          <div className="field checkbox-field form-grid-wide">
            <input id={ids.dedupe} type="checkbox" checked={form.dedupe} onChange={(e) => form.chooseDedupe(e.target.checked)} />
            <label htmlFor={ids.dedupe}>Keep only the first line of each text (lines repeating a text are left out)</label>
          </div>
        ) : null}
        <div className="field">
          <label htmlFor={ids.table}>New table name</label>
          <input
            id={ids.table}
            type="text"
            value={form.tableName}
            onChange={(e) => form.setTableName(e.target.value)}
            onBlur={form.touchName}
            aria-invalid={tableIssues.length ? true : undefined}
            aria-describedby={`${ids.table}-hint`}
            autoCapitalize="off"
            spellCheck={false}
          />
          {tableIssues.length ? (
            <p className="field-error" id={`${ids.table}-hint`} data-testid="table-name-error">
              {tableIssues.join("; ")}
            </p>
          ) : (
            <p className="hint" id={`${ids.table}-hint`}>
              lower-case letters, digits and _; must not exist yet
            </p>
          )}
        </div>
      </div>

      {form.localError ? (
        <div className="alert alert-error" role="alert">
          {form.localError}
        </div>
      ) : null}
      {check.isError ? (
        <div className="alert alert-error" role="alert">
          {checkIssues ? (
            <>
              <div className="alert-title">The file cannot be imported</div>
              <p>{check.error.message}</p>
            </>
          ) : (
            errorMessage(check.error)
          )}
        </div>
      ) : null}

      <div className="row">
        <button type="submit" className="btn" disabled={!form.file || check.isPending || create.isPending}>
          {report ? "Check again" : "Check file"}
        </button>
        <button type="button" className="btn btn-primary" disabled={!report || report.accepted === 0 || create.isPending || !!create.data} onClick={form.runCreate}>
          Create table
        </button>
        <span className="muted small" role="status">
          {check.isPending ? "Reading the file…" : create.isPending ? "Creating the table…" : ""}
        </span>
      </div>

      {create.isError ? (
        <div className="alert alert-error" role="alert" data-testid="import-error">
          <div className="alert-title">No table was created</div>
          <p>{errorMessage(create.error)}</p>
        </div>
      ) : null}
      {create.data?.created ? (
        <div className="alert alert-info" role="status" data-testid="import-done">
          <div className="alert-title">
            Created table {create.data.created.table} with {formatInt(create.data.created.rows)} rows
          </div>
          <p>
            <Link href={`/data?table=${encodeURIComponent(create.data.created.table)}`}>Browse it</Link> or{" "}
            <Link href={`/runs/new?table=${encodeURIComponent(create.data.created.table)}&columns=label,text`}>train a model on it</Link>.
          </p>
        </div>
      ) : null}

      {report ? <ImportReport report={report} /> : null}
    </form>
  );
}

/** Which field of the file holds the label (or the text), from the fields the check found. */
function FieldSelect({ id, form, which, label, path }: { id: string; form: ImportState; which: "label" | "text"; label: string; path: string }) {
  const issues = form.issueFor(path);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={which === "label" ? form.labelColumn : form.textColumn} onChange={(e) => form.chooseField(which, e.target.value)} aria-invalid={issues.length ? true : undefined}>
        <option value="">Choose…</option>
        {(form.report?.columns ?? []).map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
      {issues.length ? <p className="field-error">{issues.join("; ")}</p> : null}
    </div>
  );
}
