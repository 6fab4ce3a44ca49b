"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState, type FormEvent } from "react";
import type { PredictResponse } from "@/lib/runs/types";
import { ApiRequestError, apiFetch } from "./api";
import { ErrorBox } from "./ErrorBox";
import { ScoreBars } from "./ScoreBars";
import { useIsAdmin } from "./useMe";

interface ModelsResponse {
  models: { name: string; kind: string; isDefault: boolean; servingVersionId: string | null }[];
}

/** One text per non-empty line. */
export function splitInputs(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

export function PredictForm() {
  const textId = useId();
  const modelId = useId();
  const isAdmin = useIsAdmin();
  const [text, setText] = useState("");
  const [model, setModel] = useState("");
  const [emptyError, setEmptyError] = useState(false);

  const models = useQuery({
    queryKey: ["models"],
    queryFn: ({ signal }) => apiFetch<ModelsResponse>("/api/models", { signal }),
  });
  const modelList = models.data?.models ?? [];

  const predict = useMutation({
    mutationFn: (vars: { inputs: string[]; model: string }) =>
      apiFetch<PredictResponse & { inputs: string[] }>("/api/predict", {
        method: "POST",
        body: vars.model ? { model: vars.model, inputs: vars.inputs } : { inputs: vars.inputs },
      }).then((response) => ({ ...response, inputs: vars.inputs })),
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const inputs = splitInputs(text);
    if (inputs.length === 0) {
      setEmptyError(true);
      return;
    }
    setEmptyError(false);
    predict.mutate({ inputs, model });
  }

  const result = predict.data;
  const nothingServes = predict.error instanceof ApiRequestError && predict.error.status === 409;

  return (
    <>
      <form onSubmit={onSubmit} noValidate className="card">
        {modelList.length > 1 ? (
          <div className="field">
            <label htmlFor={modelId}>Model</label>{" "}
            <select id={modelId} value={model} onChange={(e) => setModel(e.target.value)}>
              <option value="">Default model</option>
              {modelList.map((m) => (
                <option key={m.name} value={m.name}>
                  {m.name}
                  {m.isDefault ? " (default)" : ""}
                  {m.servingVersionId ? "" : " (nothing serving)"}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <div className="field">
          <label htmlFor={textId}>Texts to classify</label>
          <textarea
            id={textId}
            rows={6}
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder={"This was a really bad experience\nGreat food, friendly staff"}
            aria-describedby={`${textId}-hint`}
            aria-invalid={emptyError ? true : undefined}
          />
          <p className="hint" id={`${textId}-hint`}>
            One text per line; a single line classifies a single text.
          </p>
        </div>
        {emptyError ? (
          <div className="alert alert-error" role="alert">
            Type at least one text to classify.
          </div>
        ) : null}
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={predict.isPending}>
            Predict
          </button>
          {predict.isPending ? (
            <span className="muted" role="status">
              Classifying…
            </span>
          ) : null}
        </div>
      </form>

      {predict.isError ? (
        nothingServes ? (
          <div className="alert alert-warn" role="alert" data-testid="predict-error">
            <div className="alert-title">No model is serving yet</div>
            <p>{predict.error.message}</p>
            <p>
              {isAdmin ? (
                <>
                  <Link href="/runs/new">Start a training run</Link>, then press Override on its page to make it serve.
                </>
              ) : (
                <>Ask an admin to train a model and promote it.</>
              )}
            </p>
          </div>
        ) : (
          <div data-testid="predict-error">
            <ErrorBox error={predict.error} title="Prediction failed" />
          </div>
        )
      ) : null}

      {result ? (
        <section className="card" aria-labelledby="predictions-heading" data-testid="predictions">
          <div className="row">
            <h2 id="predictions-heading" style={{ margin: 0 }}>
              Predictions
            </h2>
            <span className="spacer" />
            <span className="small muted">
              Model <strong>{result.model}</strong>, version <code data-testid="predict-version">{result.versionId}</code>,{" "}
              <span data-testid="predict-elapsed">{result.elapsedMs.toFixed(1)} ms</span>
            </span>
          </div>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Text</th>
                  <th scope="col">Label</th>
                  <th scope="col">Scores</th>
                </tr>
              </thead>
              <tbody>
                {result.predictions.map((p, i) => (
                  <tr key={i} data-testid="prediction">
                    <td style={{ maxWidth: "28rem" }}>{result.inputs[i] ?? ""}</td>
                    <td>
                      <span className="badge badge-succeeded" data-testid="predicted-label">
                        {p.label}
                      </span>
                    </td>
                    <td style={{ minWidth: "18rem" }}>
                      <ScoreBars scores={p.scores} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </>
  );
}
