"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { createModelSchema, updateModelSchema, type ModelSettings } from "@/lib/validations/model-config";
import { ApiRequestError, apiFetch } from "../api";
import { ConfirmDialog } from "../ConfirmDialog";
import { ErrorBox } from "../ErrorBox";
import { ACTIONS, numeric, Table } from "../Table";
import { TextField } from "../TextField";
import { useConfirmedMutation } from "../useConfirmedMutation";

// Configured models: list, add, edit, remove, through the models API.

interface ModelRow {
  name: string;
  kind: string;
  isDefault: boolean;
  settings?: ModelSettings;
  servingVersionId: string | null;
  versions: unknown[];
}

interface BaseModel {
  name: string;
  kind: string;
  modelType: string;
  architecture: string | null;
  hiddenSize: number | null;
  layers: number | null;
  sizeBytes: number;
  hasQuantized: boolean;
  synthetic: boolean;
}

type Issue = { path: string; message: string };

interface Draft {
  name: string;
  base: string;
  numLabels: string;
  labels: string;
  pooling: "mean" | "cls";
  maxLength: string;
  quantized: boolean;
  headType: "linear" | "mlp";
  hiddenSize: string;
  activation: "gelu" | "relu";
  topK: string;
  isDefault: boolean;
}

const EMPTY: Draft = {
  name: "", base: "starter", numLabels: "", labels: "", pooling: "mean", maxLength: "128", quantized: false,
  headType: "linear", hiddenSize: "", activation: "gelu", topK: "", isDefault: false,
};

function fromModel(m: ModelRow): Draft {
  const s = m.settings;
  if (!s) return { ...EMPTY, name: m.name, isDefault: m.isDefault };
  return {
    name: m.name, base: s.base, numLabels: s.numLabels ? String(s.numLabels) : "", labels: (s.labels ?? []).join(", "),
    pooling: s.pooling, maxLength: String(s.maxLength), quantized: s.quantized, headType: s.head.type,
    hiddenSize: s.head.hiddenSize ? String(s.head.hiddenSize) : "", activation: s.head.activation,
    topK: s.pipeline.top_k ? String(s.pipeline.top_k) : "", isDefault: m.isDefault,
  };
}

const num = (s: string) => (s.trim() === "" ? undefined : Number(s));

function toBody(d: Draft, creating: boolean): Record<string, unknown> {
  const labels = d.labels.split(",").map((s) => s.trim()).filter(Boolean);
  return {
    ...(creating ? { name: d.name.trim() } : {}),
    base: d.base,
    ...(d.numLabels.trim() ? { numLabels: num(d.numLabels) } : {}),
    ...(labels.length ? { labels } : {}),
    pooling: d.pooling,
    maxLength: num(d.maxLength),
    quantized: d.quantized,
    head: { type: d.headType, activation: d.activation, ...(d.headType === "mlp" && d.hiddenSize.trim() ? { hiddenSize: num(d.hiddenSize) } : {}) },
    pipeline: d.topK.trim() ? { top_k: num(d.topK) } : {},
    isDefault: d.isDefault,
  };
}

export function ModelsSettings() {
  const queryClient = useQueryClient();
  const models = useQuery({ queryKey: ["models"], queryFn: ({ signal }) => apiFetch<{ models: ModelRow[] }>("/api/models", { signal }) });
  const bases = useQuery({
    queryKey: ["base-models"],
    queryFn: ({ signal }) => apiFetch<{ baseModels?: BaseModel[]; models?: BaseModel[] } | BaseModel[]>("/api/base-models", { signal }),
    retry: false,
  });
  const baseList: BaseModel[] = Array.isArray(bases.data) ? bases.data : (bases.data?.baseModels ?? bases.data?.models ?? []);
  const [editing, setEditing] = useState<{ creating: boolean; draft: Draft } | null>(null);
  const remove = useConfirmedMutation(
    (name: string) => apiFetch(`/api/models/${encodeURIComponent(name)}`, { method: "DELETE" }),
    () => void queryClient.invalidateQueries({ queryKey: ["models"] }),
  );

  return (
    <section className="card" aria-labelledby="models-heading" id="models">
      <div className="row">
        <h2 id="models-heading" style={{ margin: 0 }}>
          Configured models
        </h2>
        <span className="spacer" />
        <button type="button" className="btn" onClick={() => setEditing({ creating: true, draft: { ...EMPTY } })} disabled={!!editing}>
          Add model
        </button>
      </div>
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
                <td className="small">
                  {m.settings ? `${m.settings.pooling} pooling, ${m.settings.maxLength} tokens${m.settings.quantized ? ", int8" : ""}` : "—"}
                </td>
                <td className="small">{m.settings ? `${m.settings.head.type}${m.settings.head.hiddenSize ? ` ${m.settings.head.hiddenSize}` : ""}` : "—"}</td>
                <td className="num">{m.versions.length}</td>
                <td>
                  <div className="row row-tight">
                    <button type="button" className="btn btn-small" onClick={() => setEditing({ creating: false, draft: fromModel(m) })} aria-label={`Edit ${m.name}`}>
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
          onDone={() => setEditing(null)}
        />
      ) : null}
      <ConfirmDialog {...remove.dialog} title={`Remove the model ${remove.target ?? ""}?`} confirmLabel="Remove model">
        <p>Its versions and run history go with it. Predictions that name it will fail.</p>
      </ConfirmDialog>
    </section>
  );
}

function ModelForm({
  creating,
  initial,
  bases,
  basesUnavailable,
  onDone,
}: {
  creating: boolean;
  initial: Draft;
  bases: BaseModel[];
  basesUnavailable: boolean;
  onDone: () => void;
}) {
  const id = useId();
  const queryClient = useQueryClient();
  const [d, setD] = useState<Draft>(initial);
  const [issues, setIssues] = useState<Issue[]>([]);
  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      creating
        ? apiFetch("/api/models", { method: "POST", body })
        : apiFetch(`/api/models/${encodeURIComponent(initial.name)}`, { method: "PATCH", body }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["models"] });
      onDone();
    },
    onError: (err) => setIssues(err instanceof ApiRequestError ? err.issues : []),
  });
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setD((prev) => ({ ...prev, [k]: v }));
  const issue = (path: string) => issues.filter((i) => i.path === path || i.path.startsWith(`${path}.`)).map((i) => i.message).join("; ");
  const base = bases.find((b) => b.name === d.base);

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const body = toBody(d, creating);
    const parsed = (creating ? createModelSchema : updateModelSchema).safeParse(body);
    if (!parsed.success) {
      setIssues(parsed.error.issues.map((i) => ({ path: i.path.join(".") || "(body)", message: i.message })));
      return;
    }
    setIssues([]);
    save.mutate(body);
  }

  const text = (key: keyof Draft, label: string, path: string, hint?: string, mode: "text" | "numeric" = "numeric") => (
    <TextField
      id={`${id}-${key}`}
      label={label}
      type="text"
      inputMode={mode}
      value={d[key] as string}
      onChange={(e) => set(key, e.target.value as never)}
      error={issue(path)}
      hint={hint}
    />
  );

  return (
    <form className="subform" onSubmit={onSubmit} noValidate aria-label={creating ? "Add a model" : `Edit ${initial.name}`}>
      <h3>{creating ? "Add a model" : `Edit ${initial.name}`}</h3>
      <div className="form-grid">
        {creating ? text("name", "Name", "name", "letters, digits, '.', '_' or '-'", "text") : null}
        <div className="field">
          <label htmlFor={`${id}-base`}>Base model</label>
          {bases.length > 0 ? (
            <select id={`${id}-base`} value={d.base} onChange={(e) => set("base", e.target.value)}>
              {bases.some((b) => b.name === "starter") ? null : <option value="starter">starter (built in)</option>}
              {bases.map((b) => (
                <option key={b.name} value={b.name}>
                  {b.name} ({b.kind === "starter" ? "built in" : `${b.architecture ?? b.modelType}${b.hiddenSize ? `, ${b.hiddenSize} wide` : ""}${b.layers ? `, ${b.layers} layers` : ""}`}
                  {b.synthetic ? ", random weights" : ""})
                </option>
              ))}
              {!bases.some((b) => b.name === d.base) && d.base !== "starter" ? <option value={d.base}>{d.base} (not found)</option> : null}
            </select>
          ) : (
            <input id={`${id}-base`} type="text" value={d.base} onChange={(e) => set("base", e.target.value)} />
          )}
          <p className={issue("base") ? "field-error" : "hint"}>
            {issue("base") || (basesUnavailable ? "a folder under the models directory, or starter" : "the encoder (or the built-in starter model)")}
          </p>
        </div>
        {text("labels", "Fixed labels", "labels", "optional, comma-separated; runs with other labels fail", "text")}
        {text("numLabels", "Number of labels", "numLabels", "optional")}
        <div className="field">
          <label htmlFor={`${id}-pooling`}>Pooling</label>
          <select id={`${id}-pooling`} value={d.pooling} onChange={(e) => set("pooling", e.target.value as Draft["pooling"])}>
            <option value="mean">mean</option>
            <option value="cls">cls</option>
          </select>
        </div>
        {text("maxLength", "Max length (tokens)", "maxLength", "8 to 8192")}
        <div className="field">
          <label htmlFor={`${id}-head`}>Head</label>
          <select id={`${id}-head`} value={d.headType} onChange={(e) => set("headType", e.target.value as Draft["headType"])}>
            <option value="linear">linear</option>
            <option value="mlp">mlp</option>
          </select>
        </div>
        {d.headType === "mlp" ? (
          <>
            {text("hiddenSize", "Head hidden size", "head", "units of the hidden layer")}
            <div className="field">
              <label htmlFor={`${id}-act`}>Activation</label>
              <select id={`${id}-act`} value={d.activation} onChange={(e) => set("activation", e.target.value as Draft["activation"])}>
                <option value="gelu">gelu</option>
                <option value="relu">relu</option>
              </select>
            </div>
          </>
        ) : null}
        {text("topK", "Labels per prediction (top_k)", "pipeline", "empty: every label's score")}
        <div className="field checkbox-field">
          <input id={`${id}-q`} type="checkbox" checked={d.quantized} onChange={(e) => set("quantized", e.target.checked)} disabled={!!base && !base.hasQuantized} />
          <label htmlFor={`${id}-q`}>Quantized (int8) encoder{base && !base.hasQuantized ? " (this base has none)" : ""}</label>
        </div>
        <div className="field checkbox-field">
          <input id={`${id}-def`} type="checkbox" checked={d.isDefault} onChange={(e) => set("isDefault", e.target.checked)} />
          <label htmlFor={`${id}-def`}>Default model</label>
        </div>
      </div>
      {save.isError && !(save.error instanceof ApiRequestError && save.error.issues.length) ? <ErrorBox error={save.error} title="Not saved" /> : null}
      {issues.some((i) => i.path === "(body)" || i.path === "") ? <p className="field-error">{issue("(body)")}</p> : null}
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {creating ? "Add model" : "Save model"}
        </button>
        <button type="button" className="btn" onClick={onDone} disabled={save.isPending}>
          Cancel
        </button>
      </div>
    </form>
  );
}
