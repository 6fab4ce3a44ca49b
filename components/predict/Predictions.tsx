"use client";

import { downloadText, predictionsCsv } from "./predictionsCsv";
import { ScoreBars } from "./ScoreBars";
import { TitleRow } from "../TitleRow";
import { PREDICT_MAX, type PredictResult } from "./usePredict";

/** The answer: label and score bars per text, the version that answered, the time, and the labels counted. */
export function Predictions({ result }: { result: PredictResult }) {
  const counts = new Map<string, number>();
  for (const p of result.predictions) counts.set(p.label, (counts.get(p.label) ?? 0) + 1);
  const shown = result.predictions.slice(0, 500);
  return (
    <section className="card" aria-labelledby="predictions-heading" data-testid="predictions">
      <TitleRow id="predictions-heading" title="Predictions">
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
        <button
          type="button"
          className="btn btn-small"
          data-testid="predict-download"
          onClick={() => downloadText(`predictions-${result.model.replace(/[^\w.-]/g, "_")}.csv`, predictionsCsv(result), "text/csv;charset=utf-8")}
        >
          Download CSV
        </button>
      </TitleRow>
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
