"use client";

import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatPercent } from "../format";
import { axisFloor, tooltipStyle } from "../runs/CompareCharts";
import type { ModelRow } from "./useModels";

/** Accuracy, weighted F1 and macro F1 over a model's versions, the serving one marked. */
export function VersionChart({ model }: { model: ModelRow }) {
  const points = [...model.versions].reverse().map((v, i) => ({
    name: `v${i + 1}`,
    accuracy: v.accuracy,
    f1: v.f1,
    macroF1: v.macroF1 ?? null,
    serving: v.serving,
  }));
  if (points.length < 2) return null;
  const servingPoint = points.find((p) => p.serving);
  const summary = points.map((p) => `${p.name}: accuracy ${formatPercent(p.accuracy)}, F1 ${formatPercent(p.f1)}`).join("; ");
  return (
    <div className="chart chart-small" role="img" aria-label={`Scores over versions of ${model.name}. ${summary}`} data-testid="versions-chart">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={points} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
          <XAxis dataKey="name" stroke="var(--muted)" tick={{ fontSize: 11 }} />
          <YAxis domain={[axisFloor(points.flatMap((p) => [p.accuracy, p.f1, p.macroF1])), 1]} allowDataOverflow tickFormatter={(v: number) => `${Math.round(v * 100)}%`} stroke="var(--muted)" tick={{ fontSize: 11 }} width={44} />
          <Tooltip
            contentStyle={tooltipStyle}
            formatter={(v) => (typeof v === "number" ? formatPercent(v) : "—")}
          />
          <Legend />
          {servingPoint ? <ReferenceLine x={servingPoint.name} stroke="var(--good)" strokeDasharray="4 2" label={{ value: "serving", fill: "var(--good)", fontSize: 11, position: "insideTopRight" }} /> : null}
          <Line type="monotone" dataKey="accuracy" name="Accuracy" stroke="var(--accent)" isAnimationActive={false} connectNulls />
          <Line type="monotone" dataKey="f1" name="F1 (weighted)" stroke="var(--warn)" isAnimationActive={false} connectNulls />
          <Line type="monotone" dataKey="macroF1" name="Macro F1" stroke="var(--chart-old)" strokeDasharray="5 3" isAnimationActive={false} connectNulls />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
