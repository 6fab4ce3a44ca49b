"use client";

import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { LossPoint } from "@/lib/training/types";

/** Training loss (and eval loss where present) against the optimiser step. */
export function LossChart({ points }: { points: LossPoint[] }) {
  if (points.length === 0) return <p className="muted">The loss curve appears once training logs its first step.</p>;
  const hasEval = points.some((p) => typeof p.evalLoss === "number");
  const hasTrain = points.some((p) => typeof p.loss === "number");
  const last = points[points.length - 1];
  return (
    <figure style={{ margin: 0 }}>
      <div className="chart" role="img" aria-label={`Loss curve over ${last?.step ?? 0} steps`}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
            <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
            <XAxis dataKey="step" type="number" domain={["dataMin", "dataMax"]} stroke="var(--muted)" tick={{ fontSize: 12 }} />
            <YAxis stroke="var(--muted)" tick={{ fontSize: 12 }} width={48} />
            <Tooltip
              contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)", color: "var(--text)" }}
              labelFormatter={(step) => `step ${String(step)}`}
            />
            <Legend />
            {hasTrain ? (
              <Line type="monotone" dataKey="loss" name="train loss" stroke="var(--accent)" dot={false} isAnimationActive={false} connectNulls />
            ) : null}
            {hasEval ? (
              <Line type="monotone" dataKey="evalLoss" name="eval loss" stroke="var(--warn)" dot={{ r: 3 }} isAnimationActive={false} connectNulls />
            ) : null}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
