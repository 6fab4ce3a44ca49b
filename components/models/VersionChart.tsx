"use client";

import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatPercent } from "../format";
import { axisFloor, tooltipStyle } from "../runs/CompareCharts";
import type { ModelRow } from "./useModels";

const SERIES = [
  { key: "accuracy", name: "Accuracy", stroke: "var(--accent)", dash: undefined },
  { key: "f1", name: "F1 (weighted)", stroke: "var(--warn)", dash: undefined },
  { key: "macroF1", name: "Macro F1", stroke: "var(--chart-old)", dash: "5 3" },
] as const;

/**
 * Accuracy, weighted F1 and macro F1 over a model's versions, the serving one marked. Versions with
 * another label set start new lines (marked where they start): their scores are of another task.
 */
export function VersionChart({ model }: { model: ModelRow }) {
  let segment = 0;
  let labelsKey = "";
  const starts: { name: string; labels: string[] }[] = [];
  const points = [...model.versions].reverse().map((v, i) => {
    const key = [...v.labels].sort().join("\u001f");
    if (i > 0 && key !== labelsKey) {
      segment++;
      starts.push({ name: `v${i + 1}`, labels: v.labels });
    }
    labelsKey = key;
    return {
      name: `v${i + 1}`,
      accuracy: v.accuracy,
      f1: v.f1,
      macroF1: v.macroF1 ?? null,
      serving: v.serving,
      [`accuracy_${segment}`]: v.accuracy,
      [`f1_${segment}`]: v.f1,
      [`macroF1_${segment}`]: v.macroF1 ?? null,
    };
  });
  const segments = segment + 1;
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
          {starts.map((s) => (
            <ReferenceLine key={s.name} x={s.name} stroke="var(--muted)" strokeDasharray="2 2" label={{ value: "labels changed", fill: "var(--muted)", fontSize: 10, position: "insideBottomLeft" }} />
          ))}
          {Array.from({ length: segments }, (_, seg) =>
            SERIES.map((m) => (
              <Line
                key={`${m.key}_${seg}`}
                type="linear"
                dataKey={`${m.key}_${seg}`}
                name={m.name}
                stroke={m.stroke}
                strokeDasharray={m.dash}
                legendType={seg === 0 ? "line" : "none"}
                isAnimationActive={false}
              />
            )),
          )}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
