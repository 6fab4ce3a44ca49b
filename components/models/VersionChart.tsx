"use client";

import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatPercent } from "../format";
import { axisLabel, LEGEND, yAxisLabel } from "../runs/chartLabels";
import { axisFloor, tooltipStyle } from "../runs/CompareCharts";
import type { ModelRow } from "./useModels";

// Accuracy and weighted F1 are often equal: accuracy is drawn first, wide and with large dots, so
// that the thin dashed F1 line over it leaves it visible.
const SERIES = [
  { key: "accuracy", name: "Accuracy", stroke: "var(--accent)", dash: undefined, width: 4, dot: { r: 5 } },
  { key: "f1", name: "F1 (weighted)", stroke: "var(--warn)", dash: "6 3", width: 2, dot: { r: 3 } },
  { key: "macroF1", name: "Macro F1", stroke: "var(--chart-old)", dash: "2 3", width: 2, dot: { r: 2 } },
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
  const servingIndex = points.findIndex((p) => p.serving);
  const servingPoint = points[servingIndex];
  // The tag stands beside its line on the side with room: right of it in the first half (clear of
  // the y axis's labels), left of it in the second (clear of the right edge).
  const servingSide = servingIndex < points.length / 2 ? "insideTopLeft" : "insideTopRight";
  const summary = points.map((p) => `${p.name}: accuracy ${formatPercent(p.accuracy)}, F1 ${formatPercent(p.f1)}`).join("; ");
  return (
    <div className="chart chart-small" role="img" aria-label={`Scores over versions of ${model.name}. ${summary}`} data-testid="versions-chart">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={points} margin={{ top: 8, right: 16, bottom: 20, left: 8 }}>
          <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
          <XAxis dataKey="name" stroke="var(--muted)" tick={{ fontSize: 11 }} label={axisLabel("Version")} />
          <YAxis domain={[axisFloor(points.flatMap((p) => [p.accuracy, p.f1, p.macroF1])), 1]} allowDataOverflow tickFormatter={(v: number) => `${Math.round(v * 100)}%`} stroke="var(--muted)" tick={{ fontSize: 11 }} width={52} label={yAxisLabel("Score (%)")} />
          <Tooltip
            contentStyle={tooltipStyle}
            formatter={(v) => (typeof v === "number" ? formatPercent(v) : "—")}
          />
          <Legend {...LEGEND} />
          {servingPoint ? <ReferenceLine x={servingPoint.name} stroke="var(--good)" strokeDasharray="4 2" label={{ value: "serving", fill: "var(--good)", fontSize: 11, position: servingSide }} /> : null}
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
                strokeWidth={m.width}
                dot={m.dot}
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
