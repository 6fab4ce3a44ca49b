"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import type { RunView } from "@/lib/runs/types";
import { RUN_NAME_MAX, RUN_NOTES_MAX, splitTags } from "@/lib/validations/run-meta";
import { apiFetch } from "../api";
import { ErrorBox } from "../ErrorBox";
import { runQueryKey } from "./useRunEvents";

/** A run's tags and notes; admins edit them and its name in place (PATCH /api/runs/:id). */
export function RunMeta({ run, isAdmin }: { run: RunView; isAdmin: boolean }) {
  const [editing, setEditing] = useState(false);
  if (editing) return <RunMetaForm run={run} onDone={() => setEditing(false)} />;
  if (!isAdmin && !run.notes && run.tags.length === 0) return null;
  return (
    <div className="card" data-testid="run-meta">
      <div className="row">
        {run.tags.length ? (
          <div className="tag-list" aria-label="Tags" data-testid="run-tags">
            {run.tags.map((t) => (
              <span key={t} className="tag">
                {t}
              </span>
            ))}
          </div>
        ) : (
          <span className="muted small">No tags</span>
        )}
        <span className="spacer" />
        {isAdmin ? (
          <button type="button" className="btn btn-small" onClick={() => setEditing(true)}>
            Edit name, notes and tags
          </button>
        ) : null}
      </div>
      {run.notes ? (
        <p className="run-notes" data-testid="run-notes">
          {run.notes}
        </p>
      ) : null}
    </div>
  );
}

function RunMetaForm({ run, onDone }: { run: RunView; onDone: () => void }) {
  const id = useId();
  const queryClient = useQueryClient();
  const [name, setName] = useState(run.name ?? "");
  const [tags, setTags] = useState(run.tags.join(", "));
  const [notes, setNotes] = useState(run.notes ?? "");
  const save = useMutation({
    mutationFn: () =>
      apiFetch<RunView>(`/api/runs/${encodeURIComponent(run.id)}`, { method: "PATCH", body: { name, notes, tags: splitTags(tags) } }),
    onSuccess: (next) => {
      queryClient.setQueryData(runQueryKey(next.id), next);
      void queryClient.invalidateQueries({ queryKey: ["runs"] });
      onDone();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };

  return (
    <form className="card" onSubmit={submit} aria-label="Edit the run's name, notes and tags">
      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input id={`${id}-name`} type="text" maxLength={RUN_NAME_MAX} value={name} placeholder={run.id} onChange={(e) => setName(e.target.value)} autoFocus />
      </div>
      <div className="field">
        <label htmlFor={`${id}-tags`}>Tags</label>
        <input id={`${id}-tags`} type="text" value={tags} placeholder="baseline, small-lr" onChange={(e) => setTags(e.target.value)} aria-describedby={`${id}-tags-hint`} />
        <p className="hint" id={`${id}-tags-hint`}>
          Separated by commas or spaces: letters, digits, “-”, “_” and “.”; up to 20.
        </p>
      </div>
      <div className="field">
        <label htmlFor={`${id}-notes`}>Notes</label>
        <textarea id={`${id}-notes`} rows={4} maxLength={RUN_NOTES_MAX} value={notes} onChange={(e) => setNotes(e.target.value)} />
      </div>
      {save.isError ? <ErrorBox error={save.error} title="Could not save" /> : null}
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save"}
        </button>
        <button type="button" className="btn" onClick={onDone} disabled={save.isPending}>
          Cancel
        </button>
      </div>
    </form>
  );
}
