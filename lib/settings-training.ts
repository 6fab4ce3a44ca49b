import { z } from "zod";
import type { PrismaClient } from "./db/generated/client";
import { runRequestSchema } from "./validations/run-request";
import { TRAINING_ARGUMENT_NAMES } from "./validations/training-arguments";

// Default training arguments (Setting "training_defaults"): a JSON object of Hugging Face
// TrainingArguments only, each typed as the run request types it. The new-run form starts from them.

export const TRAINING_DEFAULTS_KEY = "training_defaults";

type Issue = { path: string; message: string };

const typedFields = Object.fromEntries(
  Object.entries(runRequestSchema.shape).filter(([name]) => TRAINING_ARGUMENT_NAMES.has(name)),
) as Record<string, z.ZodType>;

export const trainingDefaultsSchema = z.object(typedFields).catchall(z.unknown());

export type TrainingDefaults = Record<string, unknown>;

/** Validates a defaults object; every problem names its field. */
export function parseTrainingDefaults(body: unknown): { ok: true; defaults: TrainingDefaults } | { ok: false; issues: Issue[] } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, issues: [{ path: "(body)", message: 'must be a JSON object of TrainingArguments, like {"learning_rate": 0.01}' }] };
  }
  const issues: Issue[] = Object.keys(body)
    .filter((k) => !TRAINING_ARGUMENT_NAMES.has(k))
    .map((k) => ({
      path: k,
      message: ["table", "columns", "limit", "p_of_train", "model"].includes(k)
        ? "is a run request field, not a training argument: choose it on the new-run form"
        : "is not a Hugging Face TrainingArguments name",
    }));
  const parsed = trainingDefaultsSchema.safeParse(body);
  if (!parsed.success) issues.push(...parsed.error.issues.map((i) => ({ path: i.path.join(".") || "(body)", message: i.message })));
  if (issues.length > 0 || !parsed.success) return { ok: false, issues };
  // Drop fields set to undefined by optional schemas; keep the rest as given.
  return { ok: true, defaults: Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)) };
}

export async function getTrainingDefaults(db: PrismaClient): Promise<{ defaults: TrainingDefaults; updatedAt: string | null }> {
  const row = await db.setting.findUnique({ where: { key: TRAINING_DEFAULTS_KEY } });
  if (!row) return { defaults: {}, updatedAt: null };
  const parsed = parseTrainingDefaults(row.value);
  return { defaults: parsed.ok ? parsed.defaults : {}, updatedAt: row.updatedAt.toISOString() };
}

export async function setTrainingDefaults(db: PrismaClient, defaults: TrainingDefaults): Promise<{ defaults: TrainingDefaults; updatedAt: string }> {
  const value = defaults as object;
  const row = await db.setting.upsert({ where: { key: TRAINING_DEFAULTS_KEY }, create: { key: TRAINING_DEFAULTS_KEY, value }, update: { value } });
  return { defaults, updatedAt: row.updatedAt.toISOString() };
}
