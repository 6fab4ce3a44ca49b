"use client";

import { CartesianGrid, Legend, ReferenceLine, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from "recharts";
import type { Metrics } from "@/lib/training/types";
import { formatNumber, formatPercent } from "../format";
import { axisLabel, LEGEND, yAxisLabel } from "./chartLabels";
import { tooltipStyle } from "./CompareCharts";

interface Point {
  confidence: number;
  accuracy: number;
  count: number;
}

/** The non-empty bins of a model's reliability diagram; empty when it has none (runs stored before it was measured). */
const pct = (v: number) => `${Math.round(v * 100)}%`;

/** Both axes run over [0, 1], shown as percentages. */
const UNIT_AXIS = {
  type: "number",
  domain: [0, 1],
  ticks: [0, 0.25, 0.5, 0.75, 1],
  tickFormatter: pct,
  stroke: "var(--muted)",
  tick: { fontSize: 11 },
} as const;

export function reliabilityPoints(m: Metrics | null): Point[] {
  return (m?.reliability?.bins ?? []).filter((b) => b.count > 0).map((b) => ({ confidence: b.confidence, accuracy: b.accuracy, count: b.count }));
}

function describe(name: string, m: Metrics | null, points: Point[]): string {
  if (!m || points.length === 0) return "";
  return `${name}: ECE ${formatNumber(m.ece, 3)}; ${points.map((p) => `${formatPercent(p.confidence, 0)} sure, ${formatPercent(p.accuracy, 0)} right (${p.count} rows)`).join(", ")}. `;
}

/**
 * Reliability diagram: per confidence bin (15 equal-width bins of the top-class probability), the mean
 * confidence (x) against the share of right predictions (y), for both models. A calibrated model's
 * points lie on the diagonal; points below it are over-confident.
 */
export function ReliabilityChart({ oldMetrics, newMetrics }: { oldMetrics: Metrics | null; newMetrics: Metrics | null }) {
  const oldPoints = reliabilityPoints(oldMetrics);
  const newPoints = reliabilityPoints(newMetrics);
  if (oldPoints.length === 0 && newPoints.length === 0) return <p className="muted">No calibration figures for this run (it was stored before they were measured).</p>;
  return (
    <figure className="chart-figure" data-testid="reliability-chart" style={{ maxWidth: 560 }}>
      <div className="chart chart-tall" role="img" aria-label={`Reliability diagram. ${describe("Old", oldMetrics, oldPoints)}${describe("New", newMetrics, newPoints)}`}>
        <ResponsiveContainer width="100%" height="100%">
          <ScatterChart margin={{ top: 8, right: 12, bottom: 24, left: 4 }}>
            <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
            <XAxis
              {...UNIT_AXIS}
              dataKey="confidence"
              name="Confidence"
              label={axisLabel("Confidence: top-class score (%)")}
            />
            <YAxis
              {...UNIT_AXIS}
              dataKey="accuracy"
              name="Accuracy"
              width={52}
              label={yAxisLabel("Accuracy (%)")}
            />
            <ReferenceLine segment={[{ x: 0, y: 0 }, { x: 1, y: 1 }]} stroke="var(--muted)" strokeDasharray="4 4" ifOverflow="visible" />
            <Tooltip contentStyle={tooltipStyle} formatter={(v) => (typeof v === "number" ? formatPercent(v, 1) : "—")} />
            <Legend {...LEGEND} />
            {oldPoints.length ? <Scatter name={`Old (ECE ${formatNumber(oldMetrics?.ece, 3)})`} data={oldPoints} fill="var(--chart-old)" line isAnimationActive={false} /> : null}
            {newPoints.length ? <Scatter name={`New (ECE ${formatNumber(newMetrics?.ece, 3)})`} data={newPoints} fill="var(--accent)" line isAnimationActive={false} /> : null}
          </ScatterChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="hint">
        Per bin of the top-class score: how sure the model was (x) against how often it was right (y). On the dashed diagonal the scores mean what they say;
        below it the model is over-confident.
      </figcaption>
    </figure>
  );
}
