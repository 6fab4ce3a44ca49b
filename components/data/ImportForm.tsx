"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState, type FormEvent } from "react";
import type { ImportSummary } from "@/lib/data/import";
import type { ApiError } from "@/lib/runs/types";
import { MAX_IMPORT_BYTES, tableNameSchema } from "@/lib/validations/import";
import { ApiRequestError, errorMessage } from "../api";
import { formatInt } from "../format";
import { LabelChart } from "../LabelChart";

type ImportAnswer = ImportSummary & { created: null | { table: string; rows: number } };

/** POSTs the multipart form (apiFetch sends JSON only). */
async function postImport(form: FormData): Promise<ImportAnswer> {
  let res: Response;
  try {
    res = await fetch("/api/import", { method: "POST", body: form, credentials: "same-origin" });
  } catch {
    throw new ApiRequestError(0, { error: "Could not reach the server. Check that it is running and try again." });
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const err = (body as ApiError | undefined)?.error ? (body as ApiError) : { error: `Import failed: ${res.status} ${res.statusText}` };
    throw new ApiRequestError(res.status, err);
  }
  return body as ImportAnswer;
}

function suggestName(fileName: string): string {
  const base = fileName.replace(/\.[^.]+$/, "").toLowerCase().replace(/[^a-z0-9_]+/g, "_").replace(/^_+|_+$/g, "");
  const name = /^[a-z_]/.test(base) ? base : `t_${base}`;
  return name.slice(0, 63) || "imported";
}

/**
 * Import a CSV or JSONL file into a new labelled-text table: check it first (fields, accepted and
 * rejected lines, labels), then create the table. Nothing is created until "Create table".
 */
export function ImportForm() {
  const ids = { file: useId(), table: useId(), label: useId(), text: useId() };
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [tableName, setTableName] = useState("");
  const [labelColumn, setLabelColumn] = useState("");
  const [textColumn, setTextColumn] = useState("");
  const [localError, setLocalError] = useState<string | null>(null);
  const [nameTouched, setNameTouched] = useState(false);

  const check = useMutation({ mutationFn: postImport });
  const create = useMutation({
    mutationFn: postImport,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["tables"] });
    },
  });

  const nameCheck = tableNameSchema.safeParse(tableName);
  const nameError = nameTouched && !nameCheck.success ? nameCheck.error.issues[0]?.message : null;
  const serverIssues = (create.error instanceof ApiRequestError ? create.error.issues : []).concat(check.error instanceof ApiRequestError ? check.error.issues : []);
  const issueFor = (path: string) => serverIssues.filter((i) => i.path === path).map((i) => i.message);
  const report = check.data;

  function formData(dryRun: boolean): FormData | null {
    if (!file) {
      setLocalError("Choose a CSV or JSONL file first.");
      return null;
    }
    if (file.size > MAX_IMPORT_BYTES) {
      setLocalError(`The file is ${(file.size / 1024 / 1024).toFixed(1)} MB; imports are limited to ${MAX_IMPORT_BYTES / 1024 / 1024} MB. Split it into smaller files.`);
      return null;
    }
    setLocalError(null);
    const f = new FormData();
    f.set("file", file);
    if (labelColumn) f.set("labelColumn", labelColumn);
    if (textColumn) f.set("textColumn", textColumn);
    if (!dryRun) f.set("table", tableName.trim());
    f.set("dryRun", dryRun ? "true" : "false");
    return f;
  }

  function onCheck(e?: FormEvent) {
    e?.preventDefault();
    const f = formData(true);
    if (!f) return;
    create.reset();
    check.mutate(f, {
      onSuccess: (r) => {
        if (!labelColumn && r.label) setLabelColumn(r.label);
        if (!textColumn && r.text) setTextColumn(r.text);
      },
    });
  }

  function onCreate() {
    setNameTouched(true);
    if (!nameCheck.success) return;
    const f = formData(false);
    if (f) create.mutate(f);
  }

  const fieldSelect = (id: string, value: string, set: (v: string) => void, label: string, path: string) => (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        onChange={(e) => {
          set(e.target.value);
          check.reset();
        }}
        aria-invalid={issueFor(path).length ? true : undefined}
      >
        <option value="">Choose…</option>
        {(report?.columns ?? []).map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
      {issueFor(path).length ? <p className="field-error">{issueFor(path).join("; ")}</p> : null}
    </div>
  );

  return (
    <form className="card import-form" onSubmit={onCheck} noValidate aria-labelledby="import-heading">
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
            onChange={(e) => {
              const f = e.target.files?.[0] ?? null;
              setFile(f);
              setLabelColumn("");
              setTextColumn("");
              check.reset();
              create.reset();
              if (f && !tableName) setTableName(suggestName(f.name));
            }}
          />
          {issueFor("file").length ? <p className="field-error">{issueFor("file").join("; ")}</p> : null}
        </div>
        {report ? (
          <>
            {fieldSelect(ids.label, labelColumn, setLabelColumn, "Label field", "labelColumn")}
            {fieldSelect(ids.text, textColumn, setTextColumn, "Text field", "textColumn")}
          </>
        ) : null}
        <div className="field">
          <label htmlFor={ids.table}>New table name</label>
          <input
            id={ids.table}
            type="text"
            value={tableName}
            onChange={(e) => setTableName(e.target.value)}
            onBlur={() => setNameTouched(true)}
            aria-invalid={nameError || issueFor("table").length ? true : undefined}
            aria-describedby={`${ids.table}-hint`}
            autoCapitalize="off"
            spellCheck={false}
          />
          {nameError || issueFor("table").length ? (
            <p className="field-error" id={`${ids.table}-hint`} data-testid="table-name-error">
              {[nameError, ...issueFor("table")].filter(Boolean).join("; ")}
            </p>
          ) : (
            <p className="hint" id={`${ids.table}-hint`}>
              lower-case letters, digits and _; must not exist yet
            </p>
          )}
        </div>
      </div>

      {localError ? (
        <div className="alert alert-error" role="alert">
          {localError}
        </div>
      ) : null}
      {check.isError && !(check.error instanceof ApiRequestError && check.error.issues.length) ? (
        <div className="alert alert-error" role="alert">
          {errorMessage(check.error)}
        </div>
      ) : null}
      {check.isError && check.error instanceof ApiRequestError && check.error.issues.length ? (
        <div className="alert alert-error" role="alert">
          <div className="alert-title">The file cannot be imported</div>
          <p>{check.error.message}</p>
        </div>
      ) : null}

      <div className="row">
        <button type="submit" className="btn" disabled={!file || check.isPending || create.isPending}>
          {report ? "Check again" : "Check file"}
        </button>
        <button type="button" className="btn btn-primary" disabled={!report || report.accepted === 0 || create.isPending || !!create.data} onClick={onCreate}>
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

      {report ? (
        <section className="import-report" aria-labelledby="import-report-heading" data-testid="import-report">
          <h3 id="import-report-heading">
            Check: <span data-testid="import-accepted">{formatInt(report.accepted)}</span> lines accepted,{" "}
            <span data-testid="import-rejected">{formatInt(report.rejectedCount)}</span> rejected ({report.format.toUpperCase()}; fields {report.columns.join(", ")})
          </h3>
          {!report.label || !report.text ? (
            <p className="alert alert-warn">Choose which field holds the label and which the text, then check again.</p>
          ) : null}
          {report.rejectedCount > 0 ? (
            <details open={report.rejectedCount <= 20}>
              <summary>Rejected lines{report.rejectedCount > report.rejected.length ? ` (first ${report.rejected.length} listed)` : ""}</summary>
              <div className="table-wrap rejected-wrap">
                <table className="table table-compact" data-testid="rejected-lines">
                  <thead>
                    <tr>
                      <th scope="col" className="num">
                        Line
                      </th>
                      <th scope="col">Reason</th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.rejected.map((r, i) => (
                      <tr key={i} data-testid="rejected-line" data-line={r.line}>
                        <td className="num">{r.line}</td>
                        <td>{r.reason}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          ) : null}
          {report.preview.length > 0 ? (
            <div className="grid-2">
              <div className="table-wrap">
                <table className="table table-compact">
                  <caption className="small muted">First accepted lines</caption>
                  <thead>
                    <tr>
                      <th scope="col" className="num">
                        Line
                      </th>
                      <th scope="col">label</th>
                      <th scope="col">text</th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.preview.map((r) => (
                      <tr key={r.line}>
                        <td className="num">{r.line}</td>
                        <td>{r.label}</td>
                        <td>
                          <div className="clamp">{r.text}</div>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <LabelChart distribution={report.distribution} caption="Accepted lines per label" />
            </div>
          ) : null}
        </section>
      ) : null}
    </form>
  );
}
