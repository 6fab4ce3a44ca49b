"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { createModelSchema, updateModelSchema } from "@/lib/validations/model-config";
import { ApiRequestError, apiFetch } from "../api";
import { ErrorBox } from "../ErrorBox";
import { TextField } from "../TextField";
import { modelsQueryKey } from "../models/useModels";
import type { Encoding } from "@/lib/kinds/types";
import { toBody, type Draft } from "./modelDraft";

export interface BaseModel {
  name: string;
  kind: string;
  modelType: string;
  architecture: string | null;
  hiddenSize: number | null;
  layers: number | null;
  sizeBytes: number;
  hasQuantized: boolean;
  synthetic: boolean;
  /** max_position_embeddings, or the starter's max_length */
  maxPosition?: number | null;
}

type Issue = { path: string; message: string };

/** Adds a model or edits one: base, labels, pooling, length, head, top_k, quantized, default. */
export function ModelForm({
  creating,
  initial,
  bases,
  basesUnavailable,
  encoding,
  onDone,
}: {
  creating: boolean;
  initial: Draft;
  bases: BaseModel[];
  basesUnavailable: boolean;
  /** what the edited model really uses (GET /api/models), when editing */
  encoding?: Encoding;
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
      void queryClient.invalidateQueries({ queryKey: modelsQueryKey });
      onDone();
    },
    onError: (err) => setIssues(err instanceof ApiRequestError ? err.issues : []),
  });
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setD((prev) => ({ ...prev, [k]: v }));
  const issue = (path: string) => issues.filter((i) => i.path === path || i.path.startsWith(`${path}.`)).map((i) => i.message).join("; ");
  const base = bases.find((b) => b.name === d.base);
  // The built-in starter (no folder listed, or a folder of the starter kind): its reading is its own,
  // the edited model's as the API reports it, else its folder's.
  const starter = d.base === "starter" || base?.kind === "starter";
  const starterLength = encoding && !encoding.configurable ? encoding.maxLength : base?.maxPosition;

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

  const choice = <K extends "pooling" | "headType" | "activation">(key: K, idPart: string, label: string, options: Draft[K][]) => (
    <div className="field">
      <label htmlFor={`${id}-${idPart}`}>{label}</label>
      <select id={`${id}-${idPart}`} value={d[key]} onChange={(e) => set(key, e.target.value as Draft[K])}>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </div>
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
        {starter ? (
          <p className="hint form-grid-wide" data-testid="starter-encoding">
            The starter model reads a text with its own token embeddings, mean-pooled over {starterLength ? `up to ${starterLength} tokens` : "its first tokens"}, and
            a linear head: pooling, length, head and quantization are not settings of it.
          </p>
        ) : (
          <>
            {choice("pooling", "pooling", "Pooling", ["mean", "cls"])}
            {text("maxLength", "Max length (tokens)", "maxLength", "8 to 8192")}
            {choice("headType", "head", "Head", ["linear", "mlp"])}
            {d.headType === "mlp" ? (
              <>
                {text("hiddenSize", "Head hidden size", "head", "units of the hidden layer")}
                {choice("activation", "act", "Activation", ["gelu", "relu"])}
              </>
            ) : null}
          </>
        )}
        {text("topK", "Labels per prediction (top_k)", "pipeline", "empty: every label's score")}
        {starter ? null : (
          <div className="field checkbox-field">
            <input id={`${id}-q`} type="checkbox" checked={d.quantized} onChange={(e) => set("quantized", e.target.checked)} disabled={!!base && !base.hasQuantized} />
            <label htmlFor={`${id}-q`}>Quantized (int8) encoder{base && !base.hasQuantized ? " (this base has none)" : ""}</label>
          </div>
        )}
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
