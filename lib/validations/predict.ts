import { z } from "zod";

// The original system's MLRequest: {"inputs": "text"} or a list of texts, optionally naming a model. Every
// text must hold something; the limits are named in the messages.

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
});

/** POST /api/predict → */
export interface PredictResponse {
  model: string;
  versionId: string;
  elapsedMs: number;
  /** `top`: the k best labels, best first, when the model's pipeline option top_k is set */
  predictions: { label: string; scores: Record<string, number>; top?: { label: string; score: number }[] }[];
}
