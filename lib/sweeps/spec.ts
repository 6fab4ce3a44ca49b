import { z } from "zod";
import type { FieldIssue } from "../errors";
import { AUTO_PROMOTE_METRICS, type AutoPromoteMetric } from "../schedules/schema";
import type { RunStatus } from "../runs/types";

// The body of POST /api/sweeps and the sweeps API's JSON. Client-safe: the New sweep form uses the
// cap, the metric names and the comma-separated value parser.

/** The most points (runs) one sweep queues. */
export const MAX_SWEEP_POINTS = 50;

/** Metrics a sweep's runs can be ranked by (the new model's, on its held-out rows). */
export const RANK_METRICS = AUTO_PROMOTE_METRICS;
export type RankMetric = AutoPromoteMetric;
export const DEFAULT_RANK_METRIC: RankMetric = "macro_f1";

/** One value of a swept argument. */
export type SweepValue = number | string | boolean;
const value = z.union([z.number(), z.string(), z.boolean()], { error: "must be a number, a string or true/false" });

export const gridSchema = z.record(
  z.string(),
  z.array(value, { error: "must be a list of values, like [0.01, 0.1]" }).min(1, { error: "must hold at least one value" }),
  { error: 'must be an object of argument → values, like {"learning_rate": [0.01, 0.1]}' },
);

const rangeSchema = z
  .strictObject(
    {
      min: z.number({ error: "must be a number" }),
      max: z.number({ error: "must be a number" }),
      log: z.boolean({ error: "must be true or false" }).optional(),
      integer: z.boolean({ error: "must be true or false" }).optional(),
    },
    { error: 'must be a range like {"min": 0.001, "max": 0.1, "log": true} or a list of choices' },
  )
  .superRefine((r, ctx) => {
    if (r.max < r.min) ctx.addIssue({ code: "custom", path: ["max"], message: `must be at least min (${r.min})` });
    if (r.log && r.min <= 0) ctx.addIssue({ code: "custom", path: ["min"], message: "must be greater than 0 for a log range" });
  });
export type SweepRange = z.output<typeof rangeSchema>;

const choicesSchema = z.array(value, { error: "must be a list of choices" }).min(1, { error: "must hold at least one choice" });

const trials = z
  .number({ error: `must be a whole number from 1 to ${MAX_SWEEP_POINTS}` })
  .int({ error: `must be a whole number from 1 to ${MAX_SWEEP_POINTS}` })
  .min(1, { error: `must be a whole number from 1 to ${MAX_SWEEP_POINTS}` })
  .max(MAX_SWEEP_POINTS, { error: `must be at most ${MAX_SWEEP_POINTS}: a sweep queues at most ${MAX_SWEEP_POINTS} runs` });
const seed = z.number({ error: "must be a whole number" }).int({ error: "must be a whole number" }).min(0, { error: "must be 0 or more" }).max(2 ** 32 - 1, { error: "must be below 2^32" });

/** Random search: `trials` draws (seeded by `seed`) of each argument, from a range or a list of choices. */
export interface RandomSpec {
  trials: number;
  seed: number;
  args: Record<string, SweepRange | SweepValue[]>;
}

/** The random spec's keys that are not arguments: the sampler's own (sweep the training seed with a grid). */
const RANDOM_KEYS = new Set(["trials", "seed"]);

/** Parses `random`; issues are named "random.<key>…". A seed left out is drawn here, so that the stored spec replays. */
export function parseRandomSpec(raw: unknown): { ok: true; spec: RandomSpec } | { ok: false; issues: FieldIssue[] } {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { ok: false, issues: [{ path: "random", message: 'must be an object like {"learning_rate": {"min": 0.001, "max": 0.1, "log": true}, "trials": 8, "seed": 1}' }] };
  }
  const o = raw as Record<string, unknown>;
  const issues: FieldIssue[] = [];
  const named = (path: string, error: z.ZodError) => error.issues.map((i) => ({ path: [path, ...i.path].join("."), message: i.message }));
  const t = trials.safeParse(o.trials);
  if (!t.success) issues.push(...named("random.trials", t.error));
  const s = o.seed === undefined ? { success: true as const, data: Math.floor(Math.random() * 2 ** 31) } : seed.safeParse(o.seed);
  if (!s.success) issues.push(...named("random.seed", s.error));
  const args: RandomSpec["args"] = {};
  for (const [k, v] of Object.entries(o)) {
    if (RANDOM_KEYS.has(k)) continue;
    const parsed = Array.isArray(v) ? choicesSchema.safeParse(v) : rangeSchema.safeParse(v);
    if (parsed.success) args[k] = parsed.data;
    else issues.push(...named(`random.${k}`, parsed.error));
  }
  if (Object.keys(args).length === 0 && issues.length === 0) issues.push({ path: "random", message: "must name at least one training argument to draw" });
  return issues.length || !t.success || !s.success ? { ok: false, issues } : { ok: true, spec: { trials: t.data, seed: s.data, args } };
}

export const createSweepSchema = z
  .strictObject(
    {
      request: z.record(z.string(), z.unknown(), { error: 'must be a run request object like {"table": "…", "columns": "label,text"}' }),
      grid: gridSchema.optional(),
      random: z.unknown().optional(),
    },
    { error: 'must be a JSON object like {"request": {…}, "grid": {"learning_rate": [0.01, 0.1]}}' },
  )
  .superRefine((b, ctx) => {
    if ((b.grid === undefined) === (b.random === undefined)) ctx.addIssue({ code: "custom", path: ["grid"], message: 'give exactly one of "grid" or "random"' });
  });
export type CreateSweep = z.output<typeof createSweepSchema>;

/** What a sweep stores and shows as its spec. */
export type SweepSpec = { grid: Record<string, SweepValue[]> } | { random: Record<string, unknown> & { trials: number; seed: number } };

/** The argument names a spec sweeps. */
export function sweptNames(spec: SweepSpec): string[] {
  return "grid" in spec ? Object.keys(spec.grid) : Object.keys(spec.random).filter((k) => !RANDOM_KEYS.has(k));
}

/** "0.01, 0.1, 1e-3" → [0.01, 0.1, 0.001]: numbers, true/false, else the trimmed text; empty items dropped. */
export function parseValueList(text: string): SweepValue[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (s === "true" ? true : s === "false" ? false : s !== "" && Number.isFinite(Number(s)) ? Number(s) : s));
}

/** One run of GET /api/sweeps/:id, ranked. */
export interface SweepRunView {
  id: string;
  /** 1 = best by the chosen metric; null while the run has no scores */
  rank: number | null;
  status: RunStatus;
  phase: string;
  progress: number;
  /** the swept arguments' values of this run */
  point: Record<string, unknown>;
  /** the chosen metric of the new model */
  score: number | null;
  accuracy: number | null;
  macroF1: number | null;
  candidateVersionId: string | null;
  candidateServing: boolean;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

/** GET /api/sweeps (each, without runs) and GET /api/sweeps/:id (with runs). */
export interface SweepView {
  id: string;
  model: string;
  request: Record<string, unknown>;
  spec: SweepSpec;
  createdAt: string;
  createdBy: string | null;
  metric: RankMetric;
  /** runs per status */
  counts: Partial<Record<RunStatus, number>>;
  total: number;
  best: { runId: string; score: number } | null;
  runs?: SweepRunView[];
}
