import { z } from "zod";
import { ALIAS_PATTERN, RESERVED_ALIAS } from "./registry";

// The original system's MLRequest: {"inputs": "text"} or a list of texts, optionally naming a model,
// and which of its versions answers: an alias ("challenger"; "serving" is the serving version) or a
// version id, not both (the serving version when neither). Every text must hold something; the
// limits are named in the messages.

export const PREDICT_MAX_INPUTS = 1000;
export const PREDICT_MAX_TEXT_CHARS = 100_000;
/** the body limit of /api/predict: room for PREDICT_MAX_INPUTS texts of a few kilobytes each */
export const PREDICT_BODY_BYTES = 8 * 1024 * 1024;

const text = z
  .string({ error: "must be a string" })
  .refine((s) => s.trim() !== "", { error: "must not be empty: give a text to classify" })
  .refine((s) => s.length <= PREDICT_MAX_TEXT_CHARS, { error: `must be at most ${PREDICT_MAX_TEXT_CHARS.toLocaleString("en")} characters` });

export const predictSchema = z.object({
  model: z.string().min(1, { error: "must not be empty" }).optional(),
  alias: z
    .string({ error: "must be a string" })
    .refine((s) => ALIAS_PATTERN.test(s), { error: "must be an alias: 1–40 characters of lowercase letters, digits, - and _" })
    .optional(),
  versionId: z.string({ error: "must be a version id" }).min(1, { error: "must be a version id" }).optional(),
  inputs: z.union(
    [
      text,
      z
        .array(text, { error: "must be a string or a list of strings" })
        .min(1, { error: "must hold at least one text" })
        // a refinement, not .max(): a union reports a failed .max() only as "not a string or a list"
        .refine((a) => a.length <= PREDICT_MAX_INPUTS, { error: `must hold at most ${PREDICT_MAX_INPUTS} texts (send more in several requests)` }),
    ],
    { error: "must be a string or a list of strings" },
  ),
}).refine((b) => b.alias === undefined || b.versionId === undefined, {
  path: ["alias"],
  error: "cannot be given with versionId: name the version by its alias or by its id, not both",
});

/** The version choice of a parsed request: the alias "serving" is the serving pointer itself. */
export function versionChoice(b: { alias?: string; versionId?: string }): { alias?: string; versionId?: string } {
  if (b.alias !== undefined) return b.alias === RESERVED_ALIAS ? {} : { alias: b.alias };
  return b.versionId !== undefined ? { versionId: b.versionId } : {};
}

/** POST /api/predict → */
export interface PredictResponse {
  model: string;
  versionId: string;
  /** the alias the request named, if any */
  alias?: string;
  elapsedMs: number;
  /** `top`: the k best labels, best first, when the model's pipeline option top_k is set */
  predictions: { label: string; scores: Record<string, number>; top?: { label: string; score: number }[] }[];
}
