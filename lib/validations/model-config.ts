import { z } from "zod";
import { headActivation, headHiddenSize, headType } from "./head-options";

// A configured model: a name, a base model (the starter kind, or a folder under MODELS_DIR in the
// transformers.js layout), its label set, and how it encodes, trains and predicts.

export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export const headSchema = z.object({
  type: headType.default("linear"),
  hiddenSize: headHiddenSize.optional(),
  activation: headActivation.default("gelu"),
});

// The fields without defaults: an update changes only what it names.
const fields = {
  /** folder name under MODELS_DIR; "starter" is the built-in static-embedding model */
  base: z.string({ error: "must name a base model folder" }).min(1, { error: "must name a base model folder" }),
  numLabels: z.number().int().min(2, { error: "must be at least 2" }).optional(),
  /** a fixed label set: runs whose data has other labels fail */
  labels: z.array(z.string().min(1)).min(2, { error: "must hold at least two labels" }).optional(),
  pooling: z.enum(["mean", "cls"], { error: 'must be "mean" or "cls"' }),
  maxLength: z.number().int().min(8, { error: "must be at least 8" }).max(8192, { error: "must be at most 8192" }),
  quantized: z.boolean({ error: "must be true or false" }),
  head: headSchema,
  /** prediction options, as transformers.js pipeline options */
  pipeline: z.object({ top_k: z.number().int().min(1).nullable().optional() }),
};

export const modelSettingsSchema = z.object({
  ...fields,
  pooling: fields.pooling.default("mean"),
  maxLength: fields.maxLength.default(128),
  quantized: fields.quantized.default(false),
  head: fields.head.default({ type: "linear", activation: "gelu" }),
  pipeline: fields.pipeline.default({}),
});

export const createModelSchema = modelSettingsSchema.extend({
  name: z
    .string({ error: "must be a name" })
    .regex(MODEL_NAME, { error: "must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit" })
    .refine((n) => n !== "versions", { error: '"versions" is reserved (it is the path of /api/models/versions)' }),
  isDefault: z.boolean().optional(),
});

export const updateModelSchema = z.object(fields).partial().extend({ isDefault: z.boolean().optional() });

export type ModelSettings = z.output<typeof modelSettingsSchema>;

/** Settings of a stored model, with defaults filled in (older rows may lack fields). */
export function modelSettings(model: { basePath: string | null; config: unknown }): ModelSettings {
  const parsed = modelSettingsSchema.safeParse({ base: model.basePath ?? "starter", ...(model.config as object) });
  return parsed.success ? parsed.data : modelSettingsSchema.parse({ base: model.basePath ?? "starter" });
}
