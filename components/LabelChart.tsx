"use client";

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatInt } from "./format";

export interface LabelCount {
  label: string | null;
  count: number;
}

/**
 * Rows per label as bars, with the same numbers as a list (for screen readers, and to read exact
 * counts). A label under 2 % of the rows is flagged: a split may leave it out of the test part.
 */
export function LabelChart({ distribution, distinct, caption }: { distribution: LabelCount[]; distinct?: number; caption?: string }) {
  if (distribution.length === 0) return <p className="muted">No rows, so no labels to show.</p>;
  const total = distribution.reduce((s, d) => s + d.count, 0);
  const data = distribution.slice(0, 30).map((d) => ({ label: d.label ?? "(no label)", count: d.count }));
  const rare = distribution.filter((d) => d.count / total < 0.02);
  const summary = data
    .slice(0, 8)
    .map((d) => `${d.label}: ${d.count}`)
    .join(", ");
  return (
    <figure className="label-chart" data-testid="label-distribution">
      {caption ? <figcaption className="small muted">{caption}</figcaption> : null}
      <div className="chart" role="img" aria-label={`Rows per label: ${summary}${data.length > 8 ? ", …" : ""}`}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
            <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" stroke="var(--muted)" tick={{ fontSize: 12 }} interval={0} />
            <YAxis stroke="var(--muted)" tick={{ fontSize: 12 }} width={56} allowDecimals={false} />
            <Tooltip
              cursor={{ fill: "var(--surface-2)" }}
              contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)", color: "var(--text)" }}
              formatter={(v) => [`${formatInt(Number(v))} rows (${((Number(v) / total) * 100).toFixed(1)} %)`, "rows"]}
            />
            <Bar dataKey="count" name="rows" fill="var(--accent)" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <ul className="label-counts small">
        {data.slice(0, 12).map((d) => (
          <li key={d.label} data-testid="label-count" data-label={d.label} data-count={d.count}>
            <span className="label-name">{d.label}</span> {formatInt(d.count)}{" "}
            <span className="muted">({((d.count / total) * 100).toFixed(1)} %)</span>
          </li>
        ))}
        {(distinct ?? distribution.length) > 12 ? <li className="muted">and {formatInt((distinct ?? distribution.length) - 12)} more labels</li> : null}
      </ul>
      {rare.length > 0 && distribution.length > 1 ? (
        <p className="small warn-text" role="note">
          {rare.length === 1 ? `The label "${rare[0]!.label}" is` : `${rare.length} labels are`} under 2 % of the rows: a small limit or test
          split may hold none of {rare.length === 1 ? "it" : "them"}.
        </p>
      ) : null}
    </figure>
  );
}
