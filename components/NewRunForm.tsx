"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { cloneElement, isValidElement, useMemo, useRef, useState, type FormEvent, type ReactElement, type ReactNode } from "react";
import { guessColumns } from "@/lib/data/columns";
import type { ApiError } from "@/lib/runs/types";
import { asModelKind, parseRunRequest, type ModelKind } from "@/lib/validations/run-request";
import { ApiRequestError, apiFetch, errorMessage } from "./api";
import { ErrorBox } from "./ErrorBox";
import { findKey, parseJsonObject, type JsonParseProblem } from "./jsonText";
import { LabelChart } from "./LabelChart";
import { rowCountText, useTablePreview, useTables } from "./useTables";

// The new-run form. The JSON request (the "Advanced (JSON)" editor) is the one source of truth:
// the form's fields read from it and write to it, so the seed's JSON can be pasted verbatim and the
// form follows, and whatever is submitted is exactly the JSON shown. Fields are checked in the
// browser with the same schema as the API; the API's 400 issues are shown next to their fields.

interface NewRunFormProps {
  /** The prefilled request, already pretty-printed. */
  initialText: string;
  /** Values the trainer uses when a field is left empty (admins' defaults, then the trainer's). */
  placeholders?: Record<string, string>;
}

type Issue = { path: string; message: string };

type Problem =
  | { kind: "json"; problem: JsonParseProblem }
  | { kind: "api"; status: number; body: ApiError }
  | { kind: "other"; message: string };

interface ModelsResponse {
  models: { name: string; kind: string; isDefault: boolean; servingVersionId: string | null }[];
}

const EDITOR_ID = "training-request";
const PROBLEM_ID = "training-request-problems";

/** Training arguments the form shows as fields (any other name can be added in the JSON). */
const TRAINING_FIELDS: { name: string; label: string; hint: string; kind: "number" | "integer" | "strategy" }[] = [
  { name: "learning_rate", label: "Learning rate", hint: "peak AdamW step size", kind: "number" },
  { name: "num_train_epochs", label: "Epochs", hint: "passes over the training rows", kind: "number" },
  { name: "per_device_train_batch_size", label: "Batch size", hint: "empty: the seed's rule (a divisor of the row count, at most 32)", kind: "integer" },
  { name: "weight_decay", label: "Weight decay", hint: "AdamW decoupled decay, 0 or more", kind: "number" },
  { name: "warmup_ratio", label: "Warm-up ratio", hint: "share of steps with a rising learning rate, 0 to 1", kind: "number" },
  { name: "seed", label: "Seed", hint: "same seed, same split and result", kind: "integer" },
  { name: "evaluation_strategy", label: "Evaluation", hint: "when the held-out rows are scored during training", kind: "strategy" },
];

/** A typed value for the JSON from what is in a text box: a number when it reads as one exactly. */
function toJsonValue(raw: string): unknown {
  const s = raw.trim();
  if (s === "") return undefined;
  const n = Number(s);
  return Number.isFinite(n) && String(n) === s ? n : s;
}

function display(v: unknown): string {
  if (v === undefined || v === null) return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}

function splitColumns(v: unknown): { label: string; text: string } {
  if (typeof v !== "string") return { label: "", text: "" };
  const [label = "", text = ""] = v.split(",").map((s) => s.trim());
  return { label, text };
}

/** The kind of the model a request names (else the default model), once the models are known. */
function modelKindOf(models: ModelsResponse["models"] | undefined, named: unknown): ModelKind | null {
  const model = typeof named === "string" && named ? models?.find((m) => m.name === named) : models?.find((m) => m.isDefault);
  return model ? asModelKind(model.kind) : null;
}

export function NewRunForm({ initialText, placeholders = {} }: NewRunFormProps) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [text, setText] = useState(initialText);
  /** What is typed in the number boxes, so "0." or "1e-" survive until they read as numbers. */
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  const gutterRef = useRef<HTMLDivElement>(null);

  const tables = useTables();
  const models = useQuery({
    queryKey: ["models"],
    queryFn: ({ signal }) => apiFetch<ModelsResponse>("/api/models", { signal }),
  });

  const parsed = useMemo(() => parseJsonObject(text), [text]);
  const request = parsed.ok ? parsed.value : null;
  // The chosen model's kind picks the schema, as on the server (null while unknown: the widest one).
  const kind = modelKindOf(models.data?.models, request?.model);
  const check = useMemo(() => (request ? parseRunRequest(request, kind) : null), [request, kind]);
  const liveIssues: Issue[] = check && !check.ok ? check.issues : [];
  const serverIssues: Issue[] = problem?.kind === "api" ? (problem.body.issues ?? []) : [];

  const tableName = typeof request?.table === "string" ? request.table : "";
  const cols = splitColumns(request?.columns);
  const table = tables.data?.find((t) => t.name === tableName || t.name.toLowerCase() === tableName.toLowerCase()) ?? null;
  const columnNames = table?.columns.map((c) => c.name) ?? [];
  const colsKnown = !!table && columnNames.includes(cols.label) && columnNames.includes(cols.text) && cols.label !== cols.text;
  const preview = useTablePreview(table?.name ?? null, colsKnown ? cols.label : null, colsKnown ? cols.text : null, 5);

  const mutation = useMutation({
    mutationFn: (body: Record<string, unknown>) => apiFetch<{ id: string }>("/api/runs", { method: "POST", body }),
    onSuccess: ({ id }) => {
      void queryClient.invalidateQueries({ queryKey: ["runs"] });
      router.push(`/runs/${id}`);
    },
    onError: (err) => {
      if (err instanceof ApiRequestError) setProblem({ kind: "api", status: err.status, body: err.body });
      else setProblem({ kind: "other", message: errorMessage(err) });
    },
  });

  /** Issues of a field: the server's as last answered, the browser's once touched or submitted. */
  function issuesFor(path: string): string[] {
    const server = serverIssues.filter((i) => i.path === path).map((i) => i.message);
    const live = submitted || touched.has(path) ? liveIssues.filter((i) => i.path === path).map((i) => i.message) : [];
    return [...new Set([...server, ...live])];
  }

  function writeFields(changes: Record<string, unknown>) {
    if (!request) return;
    const next: Record<string, unknown> = { ...request };
    for (const [k, v] of Object.entries(changes)) {
      if (v === undefined || v === "") delete next[k];
      else next[k] = v;
    }
    setText(JSON.stringify(next, null, 2));
    if (problem?.kind === "api") {
      // A field the user changed is no longer what the server objected to.
      const rest = serverIssues.filter((i) => !(i.path in changes) && !(i.path === "columns" && ("table" in changes || "columns" in changes)));
      setProblem(rest.length ? { ...problem, body: { ...problem.body, issues: rest } } : null);
    }
  }

  function touch(...names: string[]) {
    setTouched((prev) => new Set([...prev, ...names]));
  }

  function chooseTable(name: string) {
    const t = tables.data?.find((x) => x.name === name);
    const guess = t ? guessColumns(t.columns.map((c) => c.name)) : { label: null, text: null };
    const keep = t && t.columns.some((c) => c.name === cols.label) && t.columns.some((c) => c.name === cols.text);
    writeFields({
      table: name,
      columns: keep ? `${cols.label},${cols.text}` : guess.label && guess.text ? `${guess.label},${guess.text}` : undefined,
    });
    touch("table");
  }

  function chooseColumn(which: "label" | "text", name: string) {
    const next = { ...cols, [which]: name };
    writeFields({ columns: next.label || next.text ? `${next.label},${next.text}` : undefined });
    touch("columns");
  }

  function setNumber(name: string, raw: string) {
    setDrafts((d) => ({ ...d, [name]: raw }));
    writeFields({ [name]: toJsonValue(raw) });
  }

  function numberValue(name: string): string {
    const fromJson = display(request?.[name]);
    const draft = drafts[name];
    // The draft wins while it still means what the JSON holds.
    return draft !== undefined && display(toJsonValue(draft)) === fromJson ? draft : fromJson;
  }

  const lineCount = text.split("\n").length;
  const badLines = useMemo(() => {
    const lines = new Set<number>();
    if (!parsed.ok && parsed.problem.line) lines.add(parsed.problem.line);
    if (problem?.kind === "api") {
      for (const issue of problem.body.issues ?? []) {
        const at = findKey(text, issue.path);
        if (at) lines.add(at.line);
      }
    }
    return lines;
  }, [problem, parsed, text]);

  function focusAt(start: number, end: number) {
    const el = textareaRef.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(start, end);
  }

  function focusLine(line: number, column = 1) {
    const lines = text.split("\n");
    let start = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) start += lines[i]!.length + 1;
    focusAt(start + column - 1, start + (lines[line - 1]?.length ?? 0));
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitted(true);
    const json = parseJsonObject(text);
    if (!json.ok) {
      setProblem({ kind: "json", problem: json.problem });
      return;
    }
    // Same schema as the route handler: catch field problems before sending.
    const checked = parseRunRequest(json.value, kind);
    if (!checked.ok) {
      setProblem({ kind: "api", status: 400, body: { error: "The request has invalid fields.", issues: checked.issues } });
      return;
    }
    setProblem(null);
    mutation.mutate(json.value);
  }

  const formDisabled = !request;
  const shownProblem: Problem | null = problem ?? (!parsed.ok && submitted ? { kind: "json", problem: parsed.problem } : null);
  const invalid = shownProblem !== null || !parsed.ok;
  const modelList = models.data?.models ?? [];
  const modelName = typeof request?.model === "string" ? request.model : "";
  const tableIssues = issuesFor("table");
  const columnIssues = issuesFor("columns");

  return (
    <form onSubmit={onSubmit} noValidate className="new-run">
      <div className="new-run-grid">
        <div className="new-run-form">
          {formDisabled ? (
            <div className="alert alert-warn" role="status">
              The JSON request has a syntax error, so the form cannot show it. Fix it in <a href={`#${EDITOR_ID}`}>Advanced (JSON)</a>.
            </div>
          ) : null}
          <fieldset className="fieldset" disabled={formDisabled}>
            <legend>Data</legend>
            <div className="form-grid">
              <Field id="nr-model" label="Model" issues={issuesFor("model")} hint="the configured model to fine-tune">
                <select
                  id="nr-model"
                  value={modelName}
                  onChange={(e) => {
                    writeFields({ model: e.target.value || undefined });
                    touch("model");
                  }}
                >
                  <option value="">Default model{modelList.find((m) => m.isDefault) ? ` (${modelList.find((m) => m.isDefault)!.name})` : ""}</option>
                  {modelList.map((m) => (
                    <option key={m.name} value={m.name}>
                      {m.name}
                      {m.servingVersionId ? "" : " (not trained yet)"}
                    </option>
                  ))}
                  {modelName && !modelList.some((m) => m.name === modelName) ? <option value={modelName}>{modelName} (not configured)</option> : null}
                </select>
              </Field>
              <Field id="nr-table" label="Table" issues={tableIssues} hint={table ? rowCountText(table) : "a table in the database"}>
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
                <select id="nr-label" value={cols.label} onChange={(e) => chooseColumn("label", e.target.value)} aria-invalid={columnIssues.length ? true : undefined} aria-describedby={columnIssues.length ? "nr-columns-error" : undefined}>
                  <option value="">Choose…</option>
                  {(table?.columns ?? []).map((c) => (
                    <option key={c.name} value={c.name}>
                      {c.name} ({c.type})
                    </option>
                  ))}
                  {cols.label && !columnNames.includes(cols.label) ? <option value={cols.label}>{cols.label} (not a column)</option> : null}
                </select>
              </Field>
              <Field id="nr-text" label="Text column" issues={[]} hint="what the model reads">
                <select id="nr-text" value={cols.text} onChange={(e) => chooseColumn("text", e.target.value)} aria-invalid={columnIssues.length ? true : undefined} aria-describedby={columnIssues.length ? "nr-columns-error" : undefined}>
                  <option value="">Choose…</option>
                  {(table?.columns ?? []).map((c) => (
                    <option key={c.name} value={c.name}>
                      {c.name} ({c.type})
                    </option>
                  ))}
                  {cols.text && !columnNames.includes(cols.text) ? <option value={cols.text}>{cols.text} (not a column)</option> : null}
                </select>
              </Field>
              {columnIssues.length ? (
                <p className="field-error form-grid-wide" id="nr-columns-error" role="alert" data-testid="field-error" data-field="columns">
                  {columnIssues.join("; ")}
                </p>
              ) : null}
              <Field id="nr-limit" label="Row limit" issues={issuesFor("limit")} hint={table ? `empty: all ${rowCountText(table)}` : "empty: every row"}>
                <input
                  id="nr-limit"
                  type="text"
                  inputMode="numeric"
                  value={numberValue("limit")}
                  placeholder="all rows"
                  onChange={(e) => setNumber("limit", e.target.value)}
                  onBlur={() => touch("limit")}
                />
              </Field>
              <Field
                id="nr-split"
                label="Training share (p_of_train)"
                issues={issuesFor("p_of_train")}
                hint={
                  typeof request?.p_of_train === "number" && request.p_of_train > 0 && request.p_of_train < 1
                    ? `${Math.round(request.p_of_train * 100)} % train, ${100 - Math.round(request.p_of_train * 100)} % held out (shuffled)`
                    : "between 0 and 1; the rest is held out"
                }
              >
                <input
                  id="nr-split"
                  type="text"
                  inputMode="decimal"
                  value={numberValue("p_of_train")}
                  placeholder="0.8"
                  onChange={(e) => setNumber("p_of_train", e.target.value)}
                  onBlur={() => touch("p_of_train")}
                />
              </Field>
            </div>
          </fieldset>

          <section className="preview" aria-labelledby="nr-preview-heading" aria-live="polite">
            <h2 id="nr-preview-heading">Preview</h2>
            {tables.isError ? (
              <ErrorBox error={tables.error} title="Could not list the tables" />
            ) : tables.isSuccess && tables.data.length === 0 ? (
              <p className="muted">
                The database has no table a run can read. <Link href="/data">Import a CSV or JSONL file</Link> first.
              </p>
            ) : !table ? (
              <p className="muted">Choose a table to see its first rows and label distribution.</p>
            ) : !colsKnown ? (
              <p className="muted">Choose two different columns of {table.name}: one holding the label, one the text.</p>
            ) : preview.isError ? (
              <ErrorBox error={preview.error} title="Could not preview the table" />
            ) : !preview.data ? (
              <div className="skeleton" style={{ height: "6rem" }} aria-label="Loading the preview" />
            ) : (
              <div data-testid="run-preview">
                <div className="table-wrap">
                  <table className="table table-compact">
                    <caption className="visually-hidden">First rows of {table.name}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{cols.label}</th>
                        <th scope="col">{cols.text}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {preview.data.rows.map((r, i) => (
                        <tr key={i}>
                          <td>{r[cols.label] ?? <span className="muted">null</span>}</td>
                          <td>
                            <div className="clamp">{r[cols.text] ?? <span className="muted">null</span>}</div>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <LabelChart
                  distribution={preview.data.distribution}
                  distinct={preview.data.distinctLabels}
                  caption={`Rows per label in ${table.name} (all ${preview.data.total.toLocaleString("en-US")} rows)`}
                />
                {preview.data.unusable ? (
                  <p className="small muted">
                    {preview.data.unusable.toLocaleString("en-US")} rows have no label or no text; a run skips them.
                  </p>
                ) : null}
              </div>
            )}
          </section>

          <fieldset className="fieldset" disabled={formDisabled}>
            <legend>Training arguments</legend>
            <p className="hint">Empty fields use the defaults shown in grey. Any other Hugging Face TrainingArguments name can be added in the JSON.</p>
            <div className="form-grid">
              {TRAINING_FIELDS.map((f) => (
                <Field key={f.name} id={`nr-${f.name}`} label={f.label} sub={f.name} issues={issuesFor(f.name)} hint={f.hint}>
                  {f.kind === "strategy" ? (
                    <select
                      id={`nr-${f.name}`}
                      value={display(request?.[f.name])}
                      onChange={(e) => {
                        writeFields({ [f.name]: e.target.value || undefined });
                        touch(f.name);
                      }}
                    >
                      <option value="">default{placeholders[f.name] ? ` (${placeholders[f.name]})` : ""}</option>
                      <option value="no">no: only at the end</option>
                      <option value="epoch">epoch: after every epoch</option>
                      <option value="steps">steps: every eval_steps</option>
                    </select>
                  ) : (
                    <input
                      id={`nr-${f.name}`}
                      type="text"
                      inputMode={f.kind === "integer" ? "numeric" : "decimal"}
                      value={numberValue(f.name)}
                      placeholder={placeholders[f.name] ?? ""}
                      onChange={(e) => setNumber(f.name, e.target.value)}
                      onBlur={() => touch(f.name)}
                    />
                  )}
                </Field>
              ))}
            </div>
          </fieldset>
        </div>

        <div className="new-run-json">
          <div className="field">
            <h2 className="h-label">
              <label htmlFor={EDITOR_ID}>Training request (JSON)</label>
            </h2>
            <p className="hint" id="training-request-hint">
              <strong>Advanced (JSON):</strong> the request the form builds, sent as it is. Paste the seed&apos;s JSON here verbatim:
              table and columns (<code>&quot;label,text&quot;</code>), <code>limit</code>, <code>p_of_train</code> and any Hugging Face
              TrainingArguments; the form follows.
            </p>
            <div className="editor" data-invalid={invalid ? "true" : undefined}>
              <div className="editor-gutter" ref={gutterRef} aria-hidden="true">
                {Array.from({ length: lineCount }, (_, i) => (
                  <div key={i} className={badLines.has(i + 1) ? "gutter-error" : undefined} data-testid={badLines.has(i + 1) ? "error-line" : undefined}>
                    {i + 1}
                  </div>
                ))}
              </div>
              <textarea
                id={EDITOR_ID}
                ref={textareaRef}
                className="code"
                aria-label="Training request (JSON)"
                aria-describedby={shownProblem ? `training-request-hint ${PROBLEM_ID}` : "training-request-hint"}
                aria-invalid={invalid ? true : undefined}
                spellCheck={false}
                autoCapitalize="off"
                autoCorrect="off"
                wrap="off"
                rows={Math.min(40, Math.max(16, lineCount + 1))}
                value={text}
                onChange={(e) => {
                  setText(e.target.value);
                  setDrafts({});
                  if (problem?.kind === "json") setProblem(null);
                }}
                onScroll={(e) => {
                  if (gutterRef.current) gutterRef.current.scrollTop = e.currentTarget.scrollTop;
                }}
              />
            </div>
            {!parsed.ok && !submitted ? (
              <p className="field-error" role="status">
                {parsed.problem.line ? `Line ${parsed.problem.line}: ` : ""}
                {parsed.problem.message}
              </p>
            ) : null}
          </div>
        </div>
      </div>

      {shownProblem ? <ProblemBox problem={shownProblem} text={text} focusAt={focusAt} focusLine={focusLine} /> : null}

      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={mutation.isPending}>
          Start run
        </button>
        <button
          type="button"
          className="btn"
          disabled={mutation.isPending || text === initialText}
          onClick={() => {
            setText(initialText);
            setDrafts({});
            setTouched(new Set());
            setSubmitted(false);
            setProblem(null);
          }}
        >
          Reset to example
        </button>
        {mutation.isPending ? (
          <span className="muted" role="status">
            Submitting…
          </span>
        ) : null}
      </div>
    </form>
  );
}

function Field({ id, label, sub, hint, issues, children }: { id: string; label: string; sub?: string; hint?: string; issues: string[]; children: ReactNode }) {
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const child = children as ReactElement<Record<string, unknown>>;
  const described = [hint ? hintId : null, issues.length ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>
        {label} {sub ? <code className="muted small">{sub}</code> : null}
      </label>
      {isValidElement(child) ? cloneElement(child, { "aria-describedby": (child.props["aria-describedby"] as string | undefined) ?? described, ...(issues.length ? { "aria-invalid": true } : {}) }) : children}
      {issues.length ? (
        <p className="field-error" id={errorId} data-testid="field-error" data-field={id.replace(/^nr-/, "")}>
          {issues.join("; ")}
        </p>
      ) : hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

function ProblemBox({
  problem,
  text,
  focusAt,
  focusLine,
}: {
  problem: Problem;
  text: string;
  focusAt: (s: number, e: number) => void;
  focusLine: (line: number, column?: number) => void;
}) {
  return (
    <div className="alert alert-error" role="alert" id={PROBLEM_ID} data-testid="request-error">
      {problem.kind === "json" ? (
        <>
          <div className="alert-title">This is not valid JSON, so nothing was sent</div>
          <p>
            {problem.problem.line ? (
              <button type="button" className="link-button" onClick={() => focusLine(problem.problem.line!, problem.problem.column)}>
                Line {problem.problem.line}
                {problem.problem.column ? `, column ${problem.problem.column}` : ""}
              </button>
            ) : null}
            {problem.problem.line ? ": " : ""}
            {problem.problem.message}
          </p>
        </>
      ) : problem.kind === "api" ? (
        <>
          <div className="alert-title">
            {problem.status === 400 ? "The run was not started: fix these fields and submit again" : "The run was not started"}
          </div>
          <p>{problem.body.error}</p>
          {problem.body.issues && problem.body.issues.length > 0 ? (
            <ul className="issue-list" data-testid="request-issues">
              {problem.body.issues.map((issue, i) => {
                const at = findKey(text, issue.path);
                return (
                  <li key={`${issue.path}-${i}`} data-testid="request-issue" data-path={issue.path}>
                    {at ? (
                      <button type="button" className="link-button" onClick={() => focusAt(at.start, at.end)} title={`Go to line ${at.line}`}>
                        <code>{issue.path || "(request)"}</code>
                      </button>
                    ) : (
                      <code>{issue.path || "(request)"}</code>
                    )}
                    : {issue.message}
                    {at ? <span className="muted small"> (line {at.line})</span> : null}
                  </li>
                );
              })}
            </ul>
          ) : null}
          {problem.status === 401 ? <p>Your session expired: sign in again, then resubmit.</p> : null}
        </>
      ) : (
        <>
          <div className="alert-title">The run was not started</div>
          <p>{problem.message}</p>
        </>
      )}
    </div>
  );
}
