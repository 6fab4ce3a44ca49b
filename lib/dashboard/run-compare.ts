import type { PrismaClient } from "../db/generated/client";
import { badRequest, notFound } from "../errors";
import type { RunView } from "../runs/types";
import { getRunView } from "../runs/web/views";

// Runs side by side (GET /api/runs/compare?ids=a,b,c and the page /runs/compare?ids=…): each run's
// view, and its training arguments lined up, marking those that differ between the runs.

/** The most runs one comparison takes. */
export const COMPARE_MAX = 10;

/** One argument across the compared runs. */
export interface ArgumentRow {
  name: string;
  /** per run, in the order of the runs; null where that run's request did not set it (its default applied) */
  values: unknown[];
  /** true when not every run has the same value (an unset one counts as a value of its own) */
  differs: boolean;
}

/** GET /api/runs/compare */
export interface RunsComparison {
  runs: RunView[];
  /** every argument that any run's request set (the model's name first), in the order first seen */
  arguments: ArgumentRow[];
}

/** A value's identity for the comparison: its JSON with object keys sorted. */
function canonical(value: unknown): string {
  if (value === undefined || value === null) return "null";
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The arguments of `requests` (one per run) lined up, each marked whether it differs. */
export function argumentRows(requests: Record<string, unknown>[]): ArgumentRow[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const r of requests) {
    for (const name of Object.keys(r)) {
      if (!seen.has(name)) {
        seen.add(name);
        names.push(name);
      }
    }
  }
  return names.map((name) => {
    const values = requests.map((r) => (Object.hasOwn(r, name) && r[name] !== undefined ? r[name] : null));
    return { name, values, differs: new Set(values.map(canonical)).size > 1 };
  });
}

/** Comma-separated ids (one value or several of the parameter) as distinct ids, in order, blanks dropped. */
export function splitIds(raw: string | readonly string[] | null | undefined): string[] {
  return [...new Set([raw ?? ""].flat().join(",").split(",").map((s) => s.trim()).filter((s) => s.length > 0))];
}

/** The `ids` query parameter as distinct run ids; 400 (naming `ids`) for fewer than two or more than COMPARE_MAX. */
export function parseCompareIds(raw: string | null): string[] {
  const ids = splitIds(raw);
  if (ids.length < 2) {
    const message = ids.length === 0 ? "must name at least two runs, comma-separated (ids=a,b)" : `names only one run (${ids[0]}): name at least two, comma-separated`;
    throw badRequest([{ path: "ids", message }]);
  }
  if (ids.length > COMPARE_MAX) throw badRequest([{ path: "ids", message: `names ${ids.length} runs; at most ${COMPARE_MAX} compare at once` }]);
  return ids;
}

/** The runs of `ids`, in that order, and their arguments; 404 naming every id that is no run. */
export async function compareRuns(db: PrismaClient, ids: string[]): Promise<RunsComparison> {
  const views = await Promise.all(ids.map((id) => getRunView(db, id)));
  const missing = ids.filter((_, i) => views[i] === null);
  if (missing.length > 0) {
    const list = missing.map((id) => `"${id}"`).join(", ");
    throw notFound(`No run has id ${list}`, [{ path: "ids", message: `names ${missing.length === 1 ? "a run that does not exist" : "runs that do not exist"}: ${list}` }]);
  }
  const runs = views as RunView[];
  // the model by its name as the run resolved it (a request without one ran on the default model)
  const requests = runs.map(({ model, request }) => ({ model, ...Object.fromEntries(Object.entries(request).filter(([k]) => k !== "model")) }));
  return { runs, arguments: argumentRows(requests) };
}
