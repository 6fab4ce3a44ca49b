import { z } from "zod";

// The starter model's own arguments (fastText's names): character n-grams of each token
// (`minn`…`maxn`, hashed into `bucket` rows) and adjacent token pairs (`word_ngrams` 2, hashed into
// `pair_bucket` rows). 0 for minn turns the n-grams off; word_ngrams 1 turns the pairs off.

const int = (min: number, max: number) =>
  z
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int({ error: `must be a whole number from ${min} to ${max}` })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

export const starterOptionsShape = {
  minn: int(0, 10),
  maxn: int(0, 10),
  bucket: int(1, 2_000_000),
  word_ngrams: int(1, 5),
  pair_bucket: int(1, 2_000_000),
};

export const STARTER_OPTION_NAMES: ReadonlySet<string> = new Set(Object.keys(starterOptionsShape));
export type StarterOptions = Partial<z.output<z.ZodObject<typeof starterOptionsShape>>>;

const NOT_FOR_ENCODER = "is an option of starter models (sub-word and word n-gram features); an encoder model reads whole texts with its own tokenizer";

/** For an encoder model: every starter option is named as such when given. */
export const starterOptionsRefusedShape = Object.fromEntries(
  Object.keys(starterOptionsShape).map((name) => [name, z.undefined({ error: NOT_FOR_ENCODER }).optional()]),
) as { [K in keyof typeof starterOptionsShape]: z.ZodOptional<z.ZodUndefined> };

