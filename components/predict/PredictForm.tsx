"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState, type ChangeEvent, type FormEvent } from "react";
import { guessTextColumn, parseCsv, type CsvTable } from "@/lib/dashboard/csv";
import type { PredictResponse } from "@/lib/runs/types";
import { ApiRequestError, apiFetch } from "../api";
import { ErrorBox } from "../ErrorBox";
import { ScoreBars } from "../ScoreBars";
import { useModels } from "../models/useModels";
import { useIsAdmin } from "../useMe";

/** The API takes at most this many texts per request; longer lists go in several requests. */
export const PREDICT_BATCH = 1000;
/** The most texts one submission classifies. */
export const PREDICT_MAX = 5000;

/** One text per non-empty line. */
export function splitInputs(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

interface PredictResult {
  model: string;
  versionIds: string[];
  elapsedMs: number;
  requests: number;
  inputs: string[];
  predictions: PredictResponse["predictions"];
  truncated: number;
}

type Source = "text" | "csv";

export function PredictForm() {
  const textId = useId();
  const modelId = useId();
  const fileId = useId();
  const columnId = useId();
  const sourceName = useId();
  const isAdmin = useIsAdmin();
  const [source, setSource] = useState<Source>("text");
  const [text, setText] = useState("");
  const [model, setModel] = useState("");
  const [csv, setCsv] = useState<{ fileName: string; table: CsvTable } | null>(null);
  const [csvError, setCsvError] = useState<string | null>(null);
  const [column, setColumn] = useState(-1);
  const [emptyError, setEmptyError] = useState<string | null>(null);

  const models = useModels();
  const modelList = models.data?.models ?? [];
  const chosen = modelList.find((m) => m.name === model) ?? modelList.find((m) => m.isDefault) ?? modelList[0];

  const predict = useMutation({
    mutationFn: async (vars: { inputs: string[]; model: string; truncated: number }): Promise<PredictResult> => {
      const out: PredictResult = {
        model: "",
        versionIds: [],
        elapsedMs: 0,
        requests: 0,
        inputs: vars.inputs,
        predictions: [],
        truncated: vars.truncated,
      };
      for (let i = 0; i < vars.inputs.length; i += PREDICT_BATCH) {
        const inputs = vars.inputs.slice(i, i + PREDICT_BATCH);
        const r = await apiFetch<PredictResponse>("/api/predict", {
          method: "POST",
          body: vars.model ? { model: vars.model, inputs } : { inputs },
        });
        out.model = r.model;
        if (!out.versionIds.includes(r.versionId)) out.versionIds.push(r.versionId);
        out.elapsedMs += r.elapsedMs;
        out.requests += 1;
        out.predictions.push(...r.predictions);
      }
      return out;
    },
  });

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    setCsv(null);
    setCsvError(null);
    setColumn(-1);
    if (!file) return;
    try {
      const table = parseCsv(await file.text());
      if (table.header.length === 0 || table.rows.length === 0) {
        setCsvError("The file has no rows under its header line. The first line must name the columns.");
        return;
      }
      setCsv({ fileName: file.name, table });
      setColumn(guessTextColumn(table));
    } catch (err) {
      setCsvError(`Could not read the file: ${(err as Error).message}`);
    }
  }

  function collect(): { inputs: string[]; truncated: number } | string {
    let all: string[];
    if (source === "text") {
      all = splitInputs(text);
      if (all.length === 0) return "Type at least one text to classify.";
    } else {
      if (!csv) return "Choose a CSV file first.";
      if (column < 0) return "Choose the column that holds the text.";
      all = csv.table.rows.map((r) => (r[column] ?? "").trim()).filter((t) => t.length > 0);
      if (all.length === 0) return `The column "${csv.table.header[column]}" is empty in every row.`;
    }
    return { inputs: all.slice(0, PREDICT_MAX), truncated: Math.max(0, all.length - PREDICT_MAX) };
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const collected = collect();
    if (typeof collected === "string") {
      setEmptyError(collected);
      return;
    }
    setEmptyError(null);
    predict.mutate({ ...collected, model });
  }

  const result = predict.data;
  const nothingServes = predict.error instanceof ApiRequestError && predict.error.status === 409;
  const lineCount = splitInputs(text).length;

  return (
    <>
      <form onSubmit={onSubmit} noValidate className="card" aria-label="Classify texts">
        {modelList.length > 1 ? (
          <div className="field">
            <label htmlFor={modelId}>Model</label>{" "}
            <select id={modelId} value={model} onChange={(e) => setModel(e.target.value)} aria-describedby={`${modelId}-hint`}>
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
        {chosen ? (
          <p className="hint" id={`${modelId}-hint`} data-testid="predict-model-hint">
            {chosen.servingVersionId ? (
              <>
                <strong>{chosen.name}</strong> answers with version <code>{chosen.servingVersionId.slice(0, 10)}</code>
                {chosen.versions?.find((v) => v.serving)?.labels?.length ? <> (labels: {chosen.versions.find((v) => v.serving)!.labels.join(", ")})</> : null}.
              </>
            ) : (
              <>Nothing serves for {chosen.name} yet.</>
            )}
          </p>
        ) : null}

        <fieldset className="segmented" style={{ marginBottom: "0.75rem" }}>
          <legend className="visually-hidden">Where the texts come from</legend>
          {(
            [
              ["text", "Type or paste"],
              ["csv", "Upload a CSV"],
            ] as const
          ).map(([value, label]) => (
            <label key={value}>
              <input type="radio" name={sourceName} value={value} checked={source === value} onChange={() => setSource(value)} />
              {label}
            </label>
          ))}
        </fieldset>

        {source === "text" ? (
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
              One text per line; a single line classifies a single text. {lineCount > 1 ? `${lineCount} texts.` : ""}
            </p>
          </div>
        ) : (
          <>
            <div className="field">
              <label htmlFor={fileId}>CSV file</label>
              <input id={fileId} type="file" accept=".csv,.tsv,text/csv,text/tab-separated-values,text/plain" onChange={onFile} aria-describedby={`${fileId}-hint`} />
              <p className="hint" id={`${fileId}-hint`}>
                The first line names the columns; comma, semicolon or tab separated. Read in your browser; up to {PREDICT_MAX.toLocaleString("en-US")} rows are classified.
              </p>
            </div>
            {csvError ? (
              <div className="alert alert-error" role="alert">
                {csvError}
              </div>
            ) : null}
            {csv ? (
              <div className="field" data-testid="csv-summary">
                <label htmlFor={columnId}>Text column</label>{" "}
                <select id={columnId} value={column} onChange={(e) => setColumn(Number(e.target.value))}>
                  {csv.table.header.map((h, j) => (
                    <option key={j} value={j}>
                      {h || `(column ${j + 1})`}
                    </option>
                  ))}
                </select>
                <p className="hint">
                  {csv.fileName}: {csv.table.rows.length.toLocaleString("en-US")} rows, {csv.table.header.length} columns. First values:{" "}
                  {csv.table.rows
                    .slice(0, 3)
                    .map((r) => `“${(r[column] ?? "").slice(0, 60)}”`)
                    .join(", ")}
                </p>
              </div>
            ) : null}
          </>
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

      {result ? <Predictions result={result} /> : null}
    </>
  );
}

function Predictions({ result }: { result: PredictResult }) {
  const counts = new Map<string, number>();
  for (const p of result.predictions) counts.set(p.label, (counts.get(p.label) ?? 0) + 1);
  const shown = result.predictions.slice(0, 500);
  return (
    <section className="card" aria-labelledby="predictions-heading" data-testid="predictions">
      <div className="row">
        <h2 id="predictions-heading" style={{ margin: 0 }}>
          Predictions
        </h2>
        <span className="spacer" />
        <span className="small muted">
          Model <strong>{result.model}</strong>, version{result.versionIds.length > 1 ? "s" : ""}{" "}
          {result.versionIds.map((v, i) => (
            <span key={v}>
              {i > 0 ? ", " : ""}
              <code data-testid="predict-version">{v}</code>
            </span>
          ))}
          , <span data-testid="predict-elapsed">{result.elapsedMs.toFixed(1)} ms</span>
          {result.requests > 1 ? ` in ${result.requests} requests` : ""}
        </span>
      </div>
      {result.predictions.length > 1 ? (
        <p className="small" data-testid="predict-summary">
          {result.predictions.length.toLocaleString("en-US")} texts:{" "}
          {[...counts.entries()]
            .sort((a, b) => b[1] - a[1])
            .map(([label, n]) => `${label} ${n.toLocaleString("en-US")}`)
            .join(", ")}
          {result.truncated > 0 ? `. ${result.truncated.toLocaleString("en-US")} more were not classified (limit ${PREDICT_MAX.toLocaleString("en-US")}).` : "."}
          {shown.length < result.predictions.length ? ` The first ${shown.length} are shown.` : ""}
        </p>
      ) : null}
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
            {shown.map((p, i) => (
              <tr key={i} data-testid="prediction">
                <td style={{ maxWidth: "28rem", overflowWrap: "anywhere" }}>{result.inputs[i] ?? ""}</td>
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
  );
}
