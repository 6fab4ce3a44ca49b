"use client";

import { useState } from "react";
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { RunView } from "@/lib/runs/types";
import { Segmented } from "../../Segmented";
import { tooltipStyle } from "../CompareCharts";
import { runColour, runLetter } from "./runColours";

type LossKey = "loss" | "evalLoss";

/** The runs' loss curves on one chart: one line per run against the epoch, straight between measured points. */
export function CompareLossChart({ runs }: { runs: RunView[] }) {
  const hasEval = runs.some((r) => r.lossCurve.some((p) => typeof p.evalLoss === "number"));
  const [key, setKey] = useState<LossKey>("loss");
  const shown: LossKey = hasEval ? key : "loss";
  const series = runs.map((r, i) => ({ run: r, i, points: r.lossCurve.filter((p) => typeof p[shown] === "number") }));
  if (series.every((s) => s.points.length === 0)) return <p className="muted">None of these runs has logged a loss yet.</p>;
  const what = shown === "loss" ? "Training loss" : "Eval loss";
  return (
    <figure className="chart-figure" data-testid="compare-loss-chart" data-shown={shown}>
      {hasEval ? (
        <Segmented
          legend="Which loss"
          options={[["loss", "Training loss"], ["evalLoss", "Eval loss"]] as const}
          value={shown}
          onChange={setKey}
          testId="compare-loss-kind"
          style={{ marginBottom: "0.5rem" }}
        />
      ) : null}
      <div
        className="chart chart-tall"
        role="img"
        aria-label={`${what} per epoch. ${series.map((s) => `Run ${runLetter(s.i)}: ${s.points.length} points${s.points.length ? `, last ${s.points.at(-1)![shown]!.toFixed(4)}` : ""}`).join("; ")}`}
      >
        <ResponsiveContainer width="100%" height="100%">
          <LineChart margin={{ top: 8, right: 16, bottom: 20, left: 8 }}>
            <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
            <XAxis
              dataKey="epoch"
              type="number"
              domain={[0, "dataMax"]}
              allowDuplicatedCategory={false}
              stroke="var(--muted)"
              tick={{ fontSize: 12 }}
              label={{ value: "Epoch", position: "insideBottom", offset: -12, fill: "var(--muted)", fontSize: 12 }}
            />
            <YAxis
              stroke="var(--muted)"
              tick={{ fontSize: 12 }}
              width={56}
              label={{ value: what, angle: -90, position: "insideLeft", offset: 4, fill: "var(--muted)", fontSize: 12, style: { textAnchor: "middle" } }}
            />
            <Tooltip contentStyle={tooltipStyle} labelFormatter={(e) => `epoch ${Number(e).toFixed(2)}`} formatter={(v) => (typeof v === "number" ? v.toFixed(4) : String(v))} />
            {series.map((s) => (
              <Line
                key={s.run.id}
                data={s.points}
                dataKey={shown}
                name={`Run ${runLetter(s.i)}`}
                type="linear"
                stroke={runColour(s.i)}
                strokeWidth={2}
                dot={shown === "evalLoss" || s.points.length < 3 ? { r: 3 } : false}
                isAnimationActive={false}
                className={`run-line run-line-${s.i}`}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="hint">
        One line per run, coloured as in the list above; {what.toLowerCase()} against the epoch, straight lines between the logged points.
      </figcaption>
    </figure>
  );
}
