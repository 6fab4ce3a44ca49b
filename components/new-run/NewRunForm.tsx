"use client";

// components/new-run/: the New run page: the form, its panels, and the hook holding its state.
//
// The JSON request (the "Advanced (JSON)" editor) is the one source of truth: the form's fields read
// from it and write to it, so the original system's JSON can be pasted verbatim and the form follows,
// and whatever is submitted is exactly the JSON shown. Fields are checked in the browser with the
// same schema as the API; the API's 400 issues are shown next to their fields.

import { ArgumentsPanel } from "./ArgumentsPanel";
import { DataPreview } from "./DataPreview";
import { EDITOR_ID, JsonPanel } from "./JsonPanel";
import { ProblemBox } from "./ProblemBox";
import { SourcePanel } from "./SourcePanel";
import { StarterOptionsPanel } from "./StarterOptionsPanel";
import { useNewRunForm } from "./useNewRunForm";

interface NewRunFormProps {
  /** The prefilled request, already pretty-printed. */
  initialText: string;
  /** Values the trainer uses when a field is left empty (admins' defaults, then the trainer's). */
  placeholders?: Record<string, string>;
}

export function NewRunForm({ initialText, placeholders = {} }: NewRunFormProps) {
  const form = useNewRunForm(initialText);
  const disabled = !form.request;

  return (
    <form onSubmit={form.submit} noValidate className="new-run">
      <div className="new-run-grid">
        <div className="new-run-form">
          {disabled ? (
            <div className="alert alert-warn" role="status">
              The JSON request has a syntax error, so the form cannot show it. Fix it in <a href={`#${EDITOR_ID}`}>Advanced (JSON)</a>.
            </div>
          ) : null}
          <SourcePanel form={form} disabled={disabled} />
          <DataPreview form={form} />
          <ArgumentsPanel form={form} disabled={disabled} placeholders={placeholders} />
          <StarterOptionsPanel form={form} disabled={disabled} />
        </div>
        <JsonPanel form={form} />
      </div>

      {form.shownProblem ? <ProblemBox problem={form.shownProblem} form={form} /> : null}

      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={form.pending}>
          Start run
        </button>
        <button type="button" className="btn" disabled={form.pending || !form.changed} onClick={form.reset}>
          Reset to the original system&apos;s example
        </button>
        {form.pending ? (
          <span className="muted" role="status">
            Submitting…
          </span>
        ) : null}
      </div>
    </form>
  );
}
