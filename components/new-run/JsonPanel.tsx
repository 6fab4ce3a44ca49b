"use client";

import { useRef } from "react";
import type { NewRunFormState } from "./useNewRunForm";

export const EDITOR_ID = "training-request";
export const PROBLEM_ID = "training-request-problems";

/** "Advanced (JSON)": the request itself, with line numbers and the lines that have problems marked. */
export function JsonPanel({ form }: { form: NewRunFormState }) {
  const gutterRef = useRef<HTMLDivElement>(null);
  const { text, parsed, invalid } = form;
  const lineCount = text.split("\n").length;
  return (
    <div className="new-run-json">
      <div className="field">
        <h2 className="h-label">
          <label htmlFor={EDITOR_ID}>Training request (JSON)</label>
        </h2>
        <p className="hint" id="training-request-hint">
          <strong>Advanced (JSON):</strong> the request the form builds, sent as it is. Paste the original system&apos;s JSON here verbatim:
          table and columns (<code>&quot;label,text&quot;</code>), <code>limit</code>, <code>p_of_train</code> and any Hugging Face
          TrainingArguments; the form follows.
        </p>
        <div className="editor" data-invalid={invalid ? "true" : undefined}>
          <div className="editor-gutter" ref={gutterRef} aria-hidden="true">
            {Array.from({ length: lineCount }, (_, i) => (
              <div key={i} className={form.badLines.has(i + 1) ? "gutter-error" : undefined} data-testid={form.badLines.has(i + 1) ? "error-line" : undefined}>
                {i + 1}
              </div>
            ))}
          </div>
          <textarea
            id={EDITOR_ID}
            ref={form.textareaRef}
            className="code"
            aria-label="Training request (JSON)"
            aria-describedby={form.shownProblem ? `training-request-hint ${PROBLEM_ID}` : "training-request-hint"}
            aria-invalid={invalid ? true : undefined}
            spellCheck={false}
            autoCapitalize="off"
            autoCorrect="off"
            wrap="off"
            rows={Math.min(40, Math.max(16, lineCount + 1))}
            value={text}
            onChange={(e) => form.editText(e.target.value)}
            onScroll={(e) => {
              if (gutterRef.current) gutterRef.current.scrollTop = e.currentTarget.scrollTop;
            }}
          />
        </div>
        {!parsed.ok && !form.submitted ? (
          <p className="field-error" role="status">
            {parsed.problem.line ? `Line ${parsed.problem.line}: ` : ""}
            {parsed.problem.message}
          </p>
        ) : null}
      </div>
    </div>
  );
}
