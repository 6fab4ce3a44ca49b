"use client";

import { Bar, BarChart, CartesianGrid, LabelList, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { Metrics } from "@/lib/training/types";
import { deltaTone, formatDeltaPoints, formatPercent } from "../format";
import { useNarrow } from "../useNarrow";
import { axisLabel, LEGEND, yAxisLabel } from "./chartLabels";
import { SCORE_METRICS } from "./scoreMetrics";

interface Row {
  name: string;
  old: number | null;
  new: number | null;
  delta: number | null;
}

const TONE_COLOUR = { good: "var(--good)", bad: "var(--bad)", zero: "var(--muted)" } as const;

/** The lowest axis value that still shows every bar: whole 5 % steps below the smallest score. */
export function axisFloor(values: (number | null)[]): number {
  const present = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  if (present.length === 0) return 0;
  const min = Math.min(...present);
  return Math.max(0, Math.floor((min - 0.05) * 20) / 20);
}

export const tooltipStyle = { background: "var(--surface)", border: "1px solid var(--border)", color: "var(--text)" };
const pct = (v: unknown) => (typeof v === "number" ? formatPercent(v, 1) : "—");

interface LabelProps {
  x?: number | string;
  y?: number | string;
  width?: number | string;
  height?: number | string;
  value?: unknown;
  index?: number;
}

function DeltaLabel(props: LabelProps & { vertical?: boolean; top?: number }) {
  const value = typeof props.value === "number" ? props.value : null;
  if (value === null) return null;
  const x = Number(props.x ?? 0);
  const y = Number(props.y ?? 0);
  const width = Number(props.width ?? 0);
  const height = Number(props.height ?? 0);
  const tone = deltaTone(value);
  return props.vertical ? (
    <text x={x + width + 4} y={y + height / 2} dominantBaseline="central" fontSize={11} fontWeight={600} fill={TONE_COLOUR[tone]}>
      {formatDeltaPoints(value)}
    </text>
  ) : (
    // in a row along the plot's top, centred over each old/new pair (the new bar is the right one)
    <text x={x} y={(props.top ?? y) - 6} textAnchor="middle" fontSize={11} fontWeight={600} fill={TONE_COLOUR[tone]}>
      {formatDeltaPoints(value)}
    </text>
  );
}

function describe(rows: Row[]): string {
  return rows.map((r) => `${r.name}: old ${pct(r.old)}, new ${pct(r.new)}`).join("; ");
}

/** Below this width the score bars lie down (one row per score), so that the score names do not overlap. */
const NARROW_PX = 520;
const percentTick = (v: number) => `${Math.round(v * 100)}%`;

/** Old vs new as grouped bars: accuracy and weighted/macro precision, recall, F1; the change over each pair. */
export function MetricsBarChart({ oldMetrics, newMetrics }: { oldMetrics: Metrics | null; newMetrics: Metrics | null }) {
  const [ref, narrow] = useNarrow<HTMLElement>(NARROW_PX);
  const rows: Row[] = SCORE_METRICS.map((m) => {
    const o = oldMetrics?.[m.key] ?? null;
    const n = newMetrics?.[m.key] ?? null;
    return { name: m.short, old: o, new: n, delta: o !== null && n !== null ? n - o : null };
  });
  const floor = axisFloor(rows.flatMap((r) => [r.old, r.new]));
  /** The plot's top (the y of 100 %), from a new bar's top and height and its value. */
  const plotTop = (p: LabelProps) => {
    const n = rows[p.index ?? -1]?.new;
    const y = Number(p.y ?? 0);
    return typeof n === "number" && n > floor ? y - ((1 - n) * Number(p.height ?? 0)) / (n - floor) : y;
  };
  return (
    <figure ref={ref} className="chart-figure" data-testid="compare-chart" data-layout={narrow ? "rows" : "columns"}>
      {narrow ? (
        <OldNewRows rows={rows} floor={floor} hasOld={oldMetrics !== null} valueTitle="Score (%)" categoryTitle="Metric" names={["Old (served before)", "New (this run)"]} label={`Old versus new model. ${describe(rows)}`} />
      ) : (
        <div className="chart chart-tall" role="img" aria-label={`Old versus new model. ${describe(rows)}`}>
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={rows} margin={{ top: 30, right: 8, bottom: 20, left: 8 }} barGap={2}>
              <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="name" stroke="var(--muted)" tick={{ fontSize: 11 }} interval={0} label={axisLabel("Metric")} />
              <YAxis domain={[floor, 1]} tickFormatter={percentTick} stroke="var(--muted)" tick={{ fontSize: 11 }} width={52} allowDataOverflow label={yAxisLabel("Score (%)")} />
              <Tooltip contentStyle={tooltipStyle} formatter={(v) => pct(v)} cursor={{ fill: "var(--surface-2)" }} />
              <Legend {...LEGEND} />
              {oldMetrics ? <Bar dataKey="old" name="Old (served before)" fill="var(--chart-old)" isAnimationActive={false} /> : null}
              <Bar dataKey="new" name="New (this run)" fill="var(--accent)" isAnimationActive={false}>
                {oldMetrics ? <LabelList dataKey="delta" content={(p) => <DeltaLabel {...p} top={plotTop(p)} />} /> : null}
              </Bar>
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
      {floor > 0 ? <figcaption className="hint">The axis starts at {Math.round(floor * 100)} % so small changes show.</figcaption> : null}
    </figure>
  );
}

/** Old and new as pairs of horizontal bars, one pair per row, the change at the right of each pair. */
function OldNewRows({ rows, floor, hasOld, valueTitle, categoryTitle, names, label }: { rows: Row[]; floor: number; hasOld: boolean; valueTitle: string; categoryTitle: string; names: [string, string]; label: string }) {
  const height = Math.max(160, 90 + rows.length * (hasOld ? 44 : 28));
  return (
    <div className="chart" style={{ height }} role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height="100%">
        {/* right: room for the widest change label ("+100.0 pp") */}
        <BarChart data={rows} layout="vertical" margin={{ top: 4, right: hasOld ? 76 : 16, bottom: 20, left: 8 }} barGap={2}>
          <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" domain={[floor, 1]} tickFormatter={percentTick} stroke="var(--muted)" tick={{ fontSize: 11 }} allowDataOverflow label={axisLabel(valueTitle)} />
          <YAxis type="category" dataKey="name" stroke="var(--muted)" tick={{ fontSize: 11 }} width={92} interval={0} label={yAxisLabel(categoryTitle)} />
          <Tooltip contentStyle={tooltipStyle} formatter={(v) => pct(v)} cursor={{ fill: "var(--surface-2)" }} />
          <Legend {...LEGEND} />
          {hasOld ? <Bar dataKey="old" name={names[0]} fill="var(--chart-old)" isAnimationActive={false} /> : null}
          <Bar dataKey="new" name={names[1]} fill="var(--accent)" isAnimationActive={false}>
            {hasOld ? <LabelList dataKey="delta" content={(p) => <DeltaLabel {...p} vertical />} /> : null}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/** F1 per class, old vs new, one pair of horizontal bars per label. */
export function PerClassF1Chart({ oldMetrics, newMetrics }: { oldMetrics: Metrics | null; newMetrics: Metrics | null }) {
  const labels = Array.from(new Set([...Object.keys(newMetrics?.per_class ?? {}), ...Object.keys(oldMetrics?.per_class ?? {})]));
  if (labels.length === 0) return <p className="muted">No per-class scores.</p>;
  const rows: Row[] = labels.map((label) => {
    const o = oldMetrics?.per_class[label]?.f1 ?? null;
    const n = newMetrics?.per_class[label]?.f1 ?? null;
    return { name: label, old: o, new: n, delta: o !== null && n !== null ? n - o : null };
  });
  const floor = axisFloor(rows.flatMap((r) => [r.old, r.new]));
  return (
    <figure className="chart-figure" data-testid="per-class-chart">
      <OldNewRows rows={rows} floor={floor} hasOld={oldMetrics !== null} valueTitle="F1 (%)" categoryTitle="Label" names={["Old F1", "New F1"]} label={`F1 per class. ${describe(rows)}`} />
      {floor > 0 ? <figcaption className="hint">The axis starts at {Math.round(floor * 100)} %.</figcaption> : null}
    </figure>
  );
}
