"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState, type FormEvent } from "react";
import { parseTrainingDefaults } from "@/lib/settings-training";
import { ApiRequestError, apiFetch } from "../api";
import { ErrorBox } from "../ErrorBox";
import { formatDateTime } from "../format";
import { IssueList } from "../IssueList";

// Default training arguments: what a run uses when its request leaves a TrainingArguments name
// out. Edited as JSON (any TrainingArguments name), checked in the browser with the API's schema.

interface DefaultsAnswer {
  defaults: Record<string, unknown>;
  /** saved values that the current schema refuses, left out of `defaults` (GET only) */
  ignored?: { path: string; message: string }[];
  updatedAt: string | null;
}

export function TrainingDefaultsForm() {
  const id = useId();
  const queryClient = useQueryClient();
  const current = useQuery({ queryKey: ["training-defaults"], queryFn: ({ signal }) => apiFetch<DefaultsAnswer>("/api/settings/training-defaults", { signal }) });
  const [text, setText] = useState<string | null>(null);
  const [issues, setIssues] = useState<{ path: string; message: string }[]>([]);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    if (current.data && text === null) setText(JSON.stringify(current.data.defaults, null, 2));
  }, [current.data, text]);

  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) => apiFetch<DefaultsAnswer>("/api/settings/training-defaults", { method: "PUT", body }),
    onSuccess: (d) => {
      queryClient.setQueryData(["training-defaults"], d);
      setText(JSON.stringify(d.defaults, null, 2));
      setSaved(true);
    },
    onError: (err) => setIssues(err instanceof ApiRequestError ? err.issues : []),
  });

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    let value: unknown;
    try {
      value = JSON.parse(text ?? "{}");
    } catch (err) {
      setIssues([{ path: "(JSON)", message: (err as Error).message }]);
      return;
    }
    const parsed = parseTrainingDefaults(value);
    if (!parsed.ok) {
      setIssues(parsed.issues);
      return;
    }
    setIssues([]);
    save.mutate(parsed.defaults);
  }

  return (
    <section className="card" aria-labelledby={`${id}-h`} id="training-defaults">
      <h2 id={`${id}-h`}>Default training arguments</h2>
      <p className="hint">
        Hugging Face TrainingArguments names, such as <code>{`{"learning_rate": 0.01, "num_train_epochs": 5, "seed": 42}`}</code>. A run
        request that leaves one out uses the value here; the new-run form starts from them.
      </p>
      {current.isError ? <ErrorBox error={current.error} title="Could not read the defaults" /> : null}
      {current.data?.ignored?.length ? (
        <div className="alert alert-warn" role="status" data-testid="defaults-ignored">
          Saved defaults that this version no longer accepts are left out until you save again:{" "}
          {current.data.ignored.map((i) => `${i.path} ${i.message}`).join("; ")}
        </div>
      ) : null}
      {text !== null ? (
        <form onSubmit={onSubmit} noValidate>
          <div className="field">
            <label htmlFor={`${id}-json`}>Default training arguments (JSON)</label>
            <textarea
              id={`${id}-json`}
              className="code"
              rows={Math.min(16, Math.max(5, text.split("\n").length + 1))}
              value={text}
              spellCheck={false}
              onChange={(e) => {
                setText(e.target.value);
                setSaved(false);
              }}
              aria-invalid={issues.length ? true : undefined}
              aria-describedby={issues.length ? `${id}-issues` : undefined}
            />
          </div>
          {issues.length ? (
            <div className="alert alert-error" role="alert" id={`${id}-issues`} data-testid="defaults-issues">
              <div className="alert-title">Not saved: fix these and save again</div>
              <IssueList issues={issues} />
            </div>
          ) : null}
          <div className="row">
            <button type="submit" className="btn btn-primary" disabled={save.isPending}>
              Save defaults
            </button>
            <span className="small muted" role="status">
              {save.isPending ? "Saving…" : saved ? "Saved." : current.data?.updatedAt ? `Last changed ${formatDateTime(current.data.updatedAt)}` : "Not set yet: runs use the trainer's defaults."}
            </span>
          </div>
        </form>
      ) : null}
    </section>
  );
}
