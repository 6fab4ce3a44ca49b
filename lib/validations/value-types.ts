import { z } from "zod";

// Small zod builders shared by the request, training-argument, head-option and model schemas, so
// that a value is described (and its error worded) the same way wherever it is accepted.

export const bool = z.boolean({ error: "must be true or false" });
export const str = z.string({ error: "must be a string" });
export const strList = z.array(str, { error: "must be a list of strings" });
export const jsonObject = z.record(z.string(), z.unknown(), { error: "must be a JSON object" });

const number = z.number({ error: "must be a number" }).finite({ error: "must be a finite number" });
const integer = z.number({ error: "must be an integer" }).int({ error: "must be an integer" });

export const anyNumber = number;
export const anyInteger = integer;
export const positiveNumber = number.positive({ error: "must be greater than 0" });
export const nonNegativeNumber = number.min(0, { error: "must be 0 or more" });
export const intAtLeast = (min: number) => integer.min(min, { error: `must be an integer of at least ${min}` });
/** [0, 1) */
export const unitInterval = number.min(0, { error: "must be at least 0 and below 1" }).lt(1, { error: "must be at least 0 and below 1" });
/** [0, 1] */
export const closedUnitInterval = number.min(0, { error: "must be between 0 and 1" }).max(1, { error: "must be between 0 and 1" });

/** One of `values`, with a message that lists them. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be ${values.map((v) => `"${v}"`).join(", ").replace(/, ([^,]*)$/, " or $1")}` });
}

/** Hugging Face's step counts: an integer ≥ 1, or a fraction in (0, 1) of the run's total steps. */
export const stepsOrFraction = number.refine((x) => (x > 0 && x < 1) || (x >= 1 && Number.isInteger(x)), {
  error: "must be an integer of at least 1, or a fraction between 0 and 1 of the total steps",
});

/** Hugging Face's warmup_steps: 0, an integer ≥ 1, or a fraction in (0, 1) of the total steps. */
export const stepsOrFractionOrZero = number.refine((x) => x === 0 || (x > 0 && x < 1) || (x >= 1 && Number.isInteger(x)), {
  error: "must be 0, an integer of at least 1, or a fraction between 0 and 1 of the total steps",
});
