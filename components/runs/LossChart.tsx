"use client";

import { useState } from "react";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { LossPoint } from "@/lib/training/types";
import { Segmented } from "../Segmented";
import { tooltipStyle } from "./CompareCharts";
import { axisLabel, LEGEND, yAxisLabel } from "./chartLabels";

type Scale = "linear" | "log";
const SCALES = [
  ["linear", "Linear"],
  ["log", "Log"],
] as const;

const lossTick = (v: number) => (v === 0 ? "0" : v >= 1 ? v.toFixed(1) : v >= 0.01 ? v.toFixed(2) : v.toExponential(0));
const lrTick = (v: number) => (v === 0 ? "0" : v.toExponential(0));
const epochTick = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

/**
 * Training loss (and eval loss where present) against the epoch, straight lines between the measured
 * points; the loss axis linear or logarithmic; the learning rate of each training point on its own
 * axis at the right.
 */
export function LossChart({ points }: { points: LossPoint[] }) {
  const [scale, setScale] = useState<Scale>("linear");
  if (points.length === 0) return <p className="muted">The loss curve appears once training logs its first step.</p>;
  const hasEval = points.some((p) => typeof p.evalLoss === "number");
  const hasTrain = points.some((p) => typeof p.loss === "number");
  const hasLr = points.some((p) => typeof p.lr === "number");
  const last = points[points.length - 1];
  // A log axis needs positive values: a loss of exactly 0 would have no place on it.
  const data = scale === "log" ? points.map((p) => ({ ...p, loss: positive(p.loss), evalLoss: positive(p.evalLoss) })) : points;
  return (
    <figure className="chart-figure" data-testid="loss-chart" data-scale={scale}>
      <Segmented legend="Loss axis" options={SCALES} value={scale} onChange={setScale} testId="loss-scale" style={{ marginBottom: "0.5rem" }} />
      <div className="chart chart-tall" role="img" aria-label={`Loss curve over ${epochTick(last?.epoch ?? 0)} epochs (${last?.step ?? 0} steps), ${scale} loss axis${hasLr ? ", with the learning rate" : ""}`}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 8, right: hasLr ? 4 : 16, bottom: 20, left: 8 }}>
            <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
            <XAxis dataKey="epoch" type="number" domain={[0, "dataMax"]} tickFormatter={epochTick} stroke="var(--muted)" tick={{ fontSize: 11 }} label={axisLabel("Epoch")} />
            <YAxis
              yAxisId="loss"
              scale={scale}
              domain={scale === "log" ? ["auto", "auto"] : [0, "auto"]}
              allowDataOverflow={scale === "log"}
              tickFormatter={lossTick}
              stroke="var(--muted)"
              tick={{ fontSize: 11 }}
              width={52}
              label={yAxisLabel("Loss (cross-entropy)")}
            />
            {hasLr ? (
              <YAxis yAxisId="lr" orientation="right" tickFormatter={lrTick} stroke="var(--muted)" tick={{ fontSize: 11 }} width={52} label={yAxisLabel("Learning rate", "right")} />
            ) : null}
            <Tooltip
              contentStyle={tooltipStyle}
              labelFormatter={(epoch) => `epoch ${typeof epoch === "number" ? epoch.toFixed(2) : String(epoch)}`}
              formatter={(v, name) => [typeof v === "number" ? (name === "learning rate" ? v.toExponential(2) : v.toFixed(4)) : "—", name]}
            />
            <Legend {...LEGEND} />
            {hasTrain ? (
              <Line yAxisId="loss" type="linear" dataKey="loss" name="train loss" stroke="var(--accent)" dot={points.length <= 40 ? { r: 2 } : false} isAnimationActive={false} connectNulls />
            ) : null}
            {hasEval ? (
              <Line yAxisId="loss" type="linear" dataKey="evalLoss" name="eval loss" stroke="var(--warn)" dot={{ r: 3 }} isAnimationActive={false} connectNulls />
            ) : null}
            {hasLr ? (
              <Line yAxisId="lr" type="linear" dataKey="lr" name="learning rate" stroke="var(--chart-old)" strokeDasharray="4 3" dot={false} isAnimationActive={false} connectNulls />
            ) : null}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

function positive(v: number | undefined): number | undefined {
  return typeof v === "number" && v > 0 ? v : undefined;
}
