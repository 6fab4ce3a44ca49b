import { z } from "zod";
import { intAtLeast, nonNegativeNumber, oneOf } from "./value-types";

// Options of the classification head trained on an encoder's features. A configured model's head settings (model-config.ts) and
// an encoder run request's head options share these pieces.

export const headType = oneOf(["linear", "mlp"]);
export const headActivation = oneOf(["gelu", "relu"]);
export const headHiddenSize = intAtLeast(1).max(8192, { error: "must be at most 8192" });

export const classWeight = z.union(
  [z.literal("balanced"), z.record(z.string(), nonNegativeNumber)],
  { error: 'must be "balanced" or an object {label: weight ≥ 0}' },
);

/**
 * - head_type: "linear" | "mlp"                  (default: the model's head setting)
 * - head_hidden_size: integer 1…8192              (mlp only, default: the model's, else 256)
 * - head_activation: "gelu" | "relu"              (mlp only, default: the model's, else "gelu")
 * - class_weight: "balanced" | { label: weight }  ("balanced" = n / (C · count_c), as scikit-learn)
 * (Early stopping, applied by every kind, is in training-arguments.ts earlyStoppingShape.)
 */
export const headOptionsShape = {
  head_type: headType,
  head_hidden_size: headHiddenSize,
  head_activation: headActivation,
  class_weight: classWeight,
};

export const HEAD_OPTION_NAMES: ReadonlySet<string> = new Set(Object.keys(headOptionsShape));

export type HeadOptions = Partial<z.output<z.ZodObject<typeof headOptionsShape>>>;
export type ClassWeightSpec = z.output<typeof classWeight>;

const NOT_FOR_STARTER = "is a head option of encoder models; the starter model has no separate head to configure";

/** For a starter model: every head option is named as such when given. */
export const headOptionsRefusedShape = Object.fromEntries(
  Object.keys(headOptionsShape).map((name) => [name, z.undefined({ error: NOT_FOR_STARTER }).optional()]),
) as { [K in keyof typeof headOptionsShape]: z.ZodOptional<z.ZodUndefined> };
