"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useMemo, useRef, useState, type FormEvent } from "react";
import type { ApiError } from "@/lib/runs/types";
import { parseRunRequest } from "@/lib/validations/run-request";
import { ApiRequestError, apiFetch, errorMessage } from "./api";
import { findKey, parseJsonObject, type JsonParseProblem } from "./jsonText";

interface NewRunFormProps {
  /** The prefilled request, already pretty-printed. */
  initialText: string;
}

type Problem =
  | { kind: "json"; problem: JsonParseProblem }
  | { kind: "api"; status: number; body: ApiError }
  | { kind: "other"; message: string };

const EDITOR_ID = "training-request";
const PROBLEM_ID = "training-request-problems";

export function NewRunForm({ initialText }: NewRunFormProps) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [text, setText] = useState(initialText);
  const [problem, setProblem] = useState<Problem | null>(null);
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  const gutterRef = useRef<HTMLDivElement>(null);

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

  const lineCount = text.split("\n").length;

  // Lines the problems point at, for the gutter.
  const badLines = useMemo(() => {
    const lines = new Set<number>();
    if (problem?.kind === "json" && problem.problem.line) lines.add(problem.problem.line);
    if (problem?.kind === "api") {
      for (const issue of problem.body.issues ?? []) {
        const at = findKey(text, issue.path);
        if (at) lines.add(at.line);
      }
    }
    return lines;
  }, [problem, text]);

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
    const parsed = parseJsonObject(text);
    if (!parsed.ok) {
      setProblem({ kind: "json", problem: parsed.problem });
      return;
    }
    // Same schema as the route handler: catch field problems before sending.
    const checked = parseRunRequest(parsed.value);
    if (!checked.ok) {
      setProblem({ kind: "api", status: 400, body: { error: "The request has invalid fields.", issues: checked.issues } });
      return;
    }
    setProblem(null);
    mutation.mutate(parsed.value);
  }

  const invalid = problem !== null;

  return (
    <form onSubmit={onSubmit} noValidate>
      <div className="field">
        <label htmlFor={EDITOR_ID}>Training request (JSON)</label>
        <p className="hint" id="training-request-hint">
          Table and columns (<code>&quot;label,text&quot;</code>), <code>limit</code>, <code>p_of_train</code> and any Hugging Face
          TrainingArguments such as <code>learning_rate</code> or <code>num_train_epochs</code>.
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
            aria-describedby={invalid ? `training-request-hint ${PROBLEM_ID}` : "training-request-hint"}
            aria-invalid={invalid ? true : undefined}
            spellCheck={false}
            autoCapitalize="off"
            autoCorrect="off"
            wrap="off"
            rows={Math.min(40, Math.max(16, lineCount + 1))}
            value={text}
            onChange={(e) => setText(e.target.value)}
            onScroll={(e) => {
              if (gutterRef.current) gutterRef.current.scrollTop = e.currentTarget.scrollTop;
            }}
          />
        </div>
      </div>

      {problem ? (
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
      ) : null}

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
