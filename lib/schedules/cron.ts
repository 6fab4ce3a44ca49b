import { Cron } from "croner";

// Cron expressions, read by croner: 5 fields (minute hour day month weekday) or 6 with seconds
// first ("*/10 * * * * *"), and the usual nicknames (@daily, @hourly…). Evaluated in UTC, so that
// every web and worker process agrees on the ticks whatever its time zone.

function parse(expr: string): Cron {
  return new Cron(expr, { paused: true, timezone: "UTC" });
}

/** Why `expr` is not a usable cron expression, or null when it is. */
export function cronProblem(expr: string): string | null {
  const fields = expr.trim().split(/\s+/);
  if (!expr.trim().startsWith("@") && (fields.length < 5 || fields.length > 6)) {
    return `must have 5 fields (minute hour day month weekday) or 6 with seconds first; got ${fields.length}`;
  }
  try {
    if (!parse(expr).nextRun(new Date())) return "never fires";
    return null;
  } catch (err) {
    return `is not a valid cron expression (${(err as Error).message})`;
  }
}

/** The first tick strictly after `after`, or null when there is none. */
export function nextTick(expr: string, after: Date): Date | null {
  return parse(expr).nextRun(after);
}
