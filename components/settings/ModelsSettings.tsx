"use client";

// components/settings/: the Settings page's sections (configured models, training defaults, users,
// API tokens), one file a section, with their forms beside them.

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { apiFetch } from "../api";
import { ConfirmDialog } from "../ConfirmDialog";
import { ErrorBox } from "../ErrorBox";
import { modelsQueryKey, useModels } from "../models/useModels";
import { ACTIONS, numeric, Table } from "../Table";
import { TitleRow } from "../TitleRow";
import { useConfirmedMutation } from "../useConfirmedMutation";
import { EMPTY, fromModel, type Draft } from "./modelDraft";
import { ModelForm, type BaseModel } from "./ModelForm";
import type { Encoding } from "@/lib/kinds/types";

/** How a model reads a text, in words: "mean pooling, up to 128 tokens". */
export function encodingText(e: Encoding): string {
  return e.configurable
    ? `${e.pooling} pooling, up to ${e.maxLength} tokens${e.quantized ? ", int8" : ""}`
    : `its own token embeddings, mean of up to ${e.maxLength} tokens (fixed)`;
}

// Configured models: list, add, edit, remove, through the models API.
export function ModelsSettings() {
  const queryClient = useQueryClient();
  const models = useModels();
  const bases = useQuery({
    queryKey: ["base-models"],
    queryFn: ({ signal }) => apiFetch<{ baseModels?: BaseModel[]; models?: BaseModel[] } | BaseModel[]>("/api/base-models", { signal }),
    retry: false,
  });
  const baseList: BaseModel[] = Array.isArray(bases.data) ? bases.data : (bases.data?.baseModels ?? bases.data?.models ?? []);
  const [editing, setEditing] = useState<{ creating: boolean; draft: Draft; encoding?: Encoding } | null>(null);
  const remove = useConfirmedMutation(
    (name: string) => apiFetch(`/api/models/${encodeURIComponent(name)}`, { method: "DELETE" }),
    () => void queryClient.invalidateQueries({ queryKey: modelsQueryKey }),
  );

  return (
    <section className="card" aria-labelledby="models-heading" id="models">
      <TitleRow id="models-heading" title="Configured models">
        <span className="spacer" />
        <button type="button" className="btn" onClick={() => setEditing({ creating: true, draft: { ...EMPTY } })} disabled={!!editing}>
          Add model
        </button>
      </TitleRow>
      <p className="hint">Each configured model trains and serves on its own; runs name one, or use the default.</p>
      {models.isError ? <ErrorBox error={models.error} title="Could not list the models" /> : null}
      {models.data ? (
        models.data.models.length === 0 ? (
          <p className="muted">No model is configured. Add one to start training.</p>
        ) : (
          <Table columns={["Name", "Base", "Encoding", "Head", numeric("Versions"), ACTIONS]} testId="models-table">
            {models.data.models.map((m) => (
              <tr key={m.name} data-testid="model-row" data-name={m.name}>
                <td>
                  <strong>{m.name}</strong> {m.isDefault ? <span className="badge badge-serving">default</span> : null}
                  {m.settings?.labels ? <div className="small muted">labels {m.settings.labels.join(", ")}</div> : null}
                </td>
                <td>{m.settings?.base ?? m.kind}</td>
                <td className="small" data-testid="model-encoding">
                  {m.encoding ? encodingText(m.encoding) : "—"}
                </td>
                <td className="small">{m.encoding?.head ?? "—"}</td>
                <td className="num">{m.versions.length}</td>
                <td>
                  <div className="row row-tight">
                    <button type="button" className="btn btn-small" onClick={() => setEditing({ creating: false, draft: fromModel(m), encoding: m.encoding })} aria-label={`Edit ${m.name}`}>
                      Edit
                    </button>
                    <button type="button" className="btn btn-small btn-danger" onClick={() => remove.ask(m.name)} aria-label={`Remove ${m.name}`}>
                      Remove
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </Table>
        )
      ) : null}
      {editing ? (
        <ModelForm
          key={editing.draft.name || "new"}
          creating={editing.creating}
          initial={editing.draft}
          bases={baseList}
          basesUnavailable={bases.isError}
          encoding={editing.encoding}
          onDone={() => setEditing(null)}
        />
      ) : null}
      <ConfirmDialog {...remove.dialog} title={`Remove the model ${remove.target ?? ""}?`} confirmLabel="Remove model">
        <p>Its versions and run history go with it. Predictions that name it will fail.</p>
      </ConfirmDialog>
    </section>
  );
}

