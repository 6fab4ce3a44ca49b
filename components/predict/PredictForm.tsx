"use client";

// components/predict/: the Predict page: the form (typed texts or a CSV column), the batched predict hook, and the answers.

import Link from "next/link";
import { useId, useState, type FormEvent } from "react";
import { ApiRequestError } from "../api";
import { ErrorBox } from "../ErrorBox";
import { Segmented } from "../Segmented";
import { useModels } from "../models/useModels";
import { useIsAdmin } from "../useMe";
import { CsvColumnInput, useCsvColumn } from "./CsvColumnInput";
import { chosenModel, ModelChoice, predictPlaceholder } from "./ModelChoice";
import { Predictions } from "./Predictions";
import { PREDICT_MAX, splitInputs, usePredict } from "./usePredict";

type Source = "text" | "csv";

const SOURCES = [
  ["text", "Type or paste"],
  ["csv", "Upload a CSV"],
] as const;

export function PredictForm() {
  const textId = useId();
  const modelId = useId();
  const isAdmin = useIsAdmin();
  const [source, setSource] = useState<Source>("text");
  const [text, setText] = useState("");
  const [model, setModel] = useState("");
  const [emptyError, setEmptyError] = useState<string | null>(null);
  const csv = useCsvColumn();
  const models = useModels();
  const predict = usePredict();

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const all = source === "text" ? splitInputs(text) : csv.texts();
    if (typeof all === "string" || all.length === 0) {
      setEmptyError(typeof all === "string" ? all : "Type at least one text to classify.");
      return;
    }
    setEmptyError(null);
    predict.mutate({ inputs: all.slice(0, PREDICT_MAX), truncated: Math.max(0, all.length - PREDICT_MAX), model });
  }

  const nothingServes = predict.error instanceof ApiRequestError && predict.error.status === 409;
  const lineCount = splitInputs(text).length;

  return (
    <>
      <form onSubmit={onSubmit} noValidate className="card" aria-label="Classify texts">
        <ModelChoice id={modelId} models={models.data?.models ?? []} value={model} onChange={setModel} />

        <Segmented legend="Where the texts come from" options={SOURCES} value={source} onChange={setSource} style={{ marginBottom: "0.75rem" }} />

        {source === "text" ? (
          <div className="field">
            <label htmlFor={textId}>Texts to classify</label>
            <textarea
              id={textId}
              rows={6}
              value={text}
              onChange={(e) => setText(e.target.value)}
              placeholder={predictPlaceholder(chosenModel(models.data?.models ?? [], model))}
              aria-describedby={`${textId}-hint`}
              aria-invalid={emptyError ? true : undefined}
            />
            <p className="hint" id={`${textId}-hint`}>
              One text per line; a single line classifies a single text. {lineCount > 1 ? `${lineCount} texts.` : ""}
            </p>
          </div>
        ) : (
          <CsvColumnInput state={csv} />
        )}
        {emptyError ? (
          <div className="alert alert-error" role="alert">
            {emptyError}
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

      {predict.data ? <Predictions result={predict.data} /> : null}
    </>
  );
}
