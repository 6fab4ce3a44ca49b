// The text around the dashboard's charts (recharts props): axis titles and the legend, in one muted,
// small style. Legends stand above the plot, so that they never cover an x axis's title.

const STYLE = { fontSize: 12, fill: "var(--muted)" } as const;

/** A horizontal axis's title, under its ticks (the chart needs about 20 px of bottom margin). */
export function axisLabel(value: string) {
  return { value, position: "insideBottom" as const, offset: -14, ...STYLE };
}

/** A vertical axis's title, turned along it, on the axis's outer side. */
export function yAxisLabel(value: string, side: "left" | "right" = "left") {
  return side === "left"
    ? { value, angle: -90, position: "insideLeft" as const, style: { textAnchor: "middle" as const }, ...STYLE }
    : { value, angle: 90, position: "insideRight" as const, style: { textAnchor: "middle" as const }, ...STYLE };
}

/** Props of every chart's <Legend>: above the plot, small, wrapping onto more rows when narrow. */
// At the very top (recharts would put it at the top margin, over labels drawn in that margin).
export const LEGEND = { verticalAlign: "top" as const, iconSize: 10, wrapperStyle: { top: 0, fontSize: 12, lineHeight: "18px", paddingBottom: 6 } };
