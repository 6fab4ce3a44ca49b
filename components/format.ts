// Small display formatters shared by the pages.

export function formatPercent(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  return `${(value * 100).toFixed(digits)} %`;
}

export function formatNumber(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  return value.toFixed(digits);
}

export function formatInt(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  return Math.round(value).toLocaleString("en-US");
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  return d.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return d.toLocaleTimeString(undefined, { hour12: false });
}

/** "1 h 02 min", "3 min 05 s", "12 s", "0.4 s". */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "—";
  if (seconds < 1) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, "0")} min`;
  if (m > 0) return `${m} min ${String(r).padStart(2, "0")} s`;
  return `${r} s`;
}

/** Wall time from start to finish (or to now while still going). */
export function runDuration(startedAt: string | null, finishedAt: string | null, now = Date.now()): string {
  if (!startedAt) return "—";
  const start = new Date(startedAt).getTime();
  const end = finishedAt ? new Date(finishedAt).getTime() : now;
  if (Number.isNaN(start) || Number.isNaN(end)) return "—";
  return formatSeconds((end - start) / 1000);
}

export type DeltaTone = "good" | "bad" | "zero";

/**
 * Tone of a change new − old: for scores higher is better; for losses (lowerIsBetter) the
 * colours flip. Changes under half the shown precision count as zero.
 */
export function deltaTone(delta: number, lowerIsBetter = false, epsilon = 5e-5): DeltaTone {
  if (Math.abs(delta) < epsilon) return "zero";
  const better = lowerIsBetter ? delta < 0 : delta > 0;
  return better ? "good" : "bad";
}

export function signed(text: string, delta: number): string {
  return delta > 0 ? `+${text}` : delta < 0 ? `−${text.replace(/^-/, "")}` : text;
}

/** Percentage-point delta, e.g. "+2.4 pp". */
export function formatDeltaPoints(delta: number, digits = 1): string {
  return signed(`${Math.abs(delta * 100).toFixed(digits)} pp`, delta);
}

export function formatDeltaNumber(delta: number, digits = 4): string {
  return signed(Math.abs(delta).toFixed(digits), delta);
}
