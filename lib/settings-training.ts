import { z } from "zod";
import type { PrismaClient } from "./db/generated/client";
import { HEAD_OPTION_NAMES } from "./validations/head-options";
import { optionalFields, toRequestIssues, type Issue } from "./validations/run-request";
import { trainingArgumentsShape } from "./validations/training-arguments";

// Default training arguments (Setting "training_defaults"): a JSON object of Hugging Face
// TrainingArguments only, each typed by the same schema pieces as a run request. The new-run form
// starts from them, and a run request is checked with them filled in.

export const TRAINING_DEFAULTS_KEY = "training_defaults";

export const trainingDefaultsSchema = z.strictObject(optionalFields(trainingArgumentsShape), {
  error: 'must be a JSON object of TrainingArguments, like {"learning_rate": 0.01}',
});

export type TrainingDefaults = z.output<typeof trainingDefaultsSchema>;

const REQUEST_FIELDS = new Set(["table", "columns", "limit", "p_of_train", "model"]);

/** Validates a defaults object; every problem names its field. */
export function parseTrainingDefaults(body: unknown): { ok: true; defaults: TrainingDefaults } | { ok: false; issues: Issue[] } {
  const parsed = trainingDefaultsSchema.safeParse(body);
  if (parsed.success) return { ok: true, defaults: parsed.data };
  const issues = toRequestIssues(parsed.error).map((i) =>
    REQUEST_FIELDS.has(i.path)
      ? { ...i, message: "is a run request field, not a training argument: choose it on the new-run form" }
      : HEAD_OPTION_NAMES.has(i.path)
        ? { ...i, message: "is a head option of encoder models, not a training argument: set it on the model or in a run request" }
        : i,
  );
  return { ok: false, issues };
}

/**
 * Saved defaults as they can be used now: a value that an earlier version accepted but the current
 * schema refuses is left out (and listed in `ignored`, with why), the others are kept.
 */
export function usableDefaults(saved: unknown): { defaults: TrainingDefaults; ignored: Issue[] } {
  const parsed = parseTrainingDefaults(saved);
  if (parsed.ok) return { defaults: parsed.defaults, ignored: [] };
  if (typeof saved !== "object" || saved === null || Array.isArray(saved)) return { defaults: {}, ignored: parsed.issues };
  const bad = new Set(parsed.issues.map((i) => i.path.split(".")[0]));
  const kept = parseTrainingDefaults(Object.fromEntries(Object.entries(saved).filter(([k]) => !bad.has(k))));
  return kept.ok ? { defaults: kept.defaults, ignored: parsed.issues } : { defaults: {}, ignored: parsed.issues };
}

export async function getTrainingDefaults(db: PrismaClient): Promise<{ defaults: TrainingDefaults; ignored: Issue[]; updatedAt: string | null }> {
  const row = await db.setting.findUnique({ where: { key: TRAINING_DEFAULTS_KEY } });
  if (!row) return { defaults: {}, ignored: [], updatedAt: null };
  return { ...usableDefaults(row.value), updatedAt: row.updatedAt.toISOString() };
}

export async function setTrainingDefaults(db: PrismaClient, defaults: TrainingDefaults): Promise<{ defaults: TrainingDefaults; updatedAt: string }> {
  const value = defaults as object;
  const row = await db.setting.upsert({ where: { key: TRAINING_DEFAULTS_KEY }, create: { key: TRAINING_DEFAULTS_KEY, value }, update: { value } });
  return { defaults, updatedAt: row.updatedAt.toISOString() };
}

const STRATEGY_SPELLINGS = ["eval_strategy", "evaluation_strategy"];

/**
 * A request with the defaults filled in where it leaves a name out. The two spellings of the
 * evaluation strategy count as one name: a request giving either overrides a default of both.
 */
export function withDefaults(body: Record<string, unknown>, defaults: TrainingDefaults): Record<string, unknown> {
  const fill: Record<string, unknown> = { ...defaults };
  if (STRATEGY_SPELLINGS.some((k) => k in body)) for (const k of STRATEGY_SPELLINGS) delete fill[k];
  return { ...fill, ...body };
}
