import { z } from "zod";
import { HEAD_OPTION_NAMES, TRAINING_ARGUMENT_NAMES } from "./training-arguments";

// The seed's TrainRequest: columns "label,text", table, limit, p_of_train, any Hugging Face
// TrainingArguments, plus an optional configured-model name. Shared by the route handler and the form.

const positiveNumber = z.number({ error: "must be a number" }).finite().positive({ error: "must be greater than 0" });
const positiveInt = z.number({ error: "must be an integer" }).int({ error: "must be an integer" }).min(1, { error: "must be at least 1" });
const strategy = z.enum(["no", "steps", "epoch"], { error: 'must be "no", "steps" or "epoch"' });

const columns = z
  .string({ error: 'must be a string "labelColumn,textColumn"' })
  .transform((s, ctx) => {
    const parts = s.split(",").map((p) => p.trim());
    if (parts.length !== 2 || parts.some((p) => p.length === 0)) {
      ctx.addIssue({ code: "custom", message: 'must name two columns, "labelColumn,textColumn"' });
      return z.NEVER;
    }
    return { label: parts[0], text: parts[1] };
  });

export const runRequestSchema = z
  .object({
    model: z.string().min(1, { error: "must not be empty" }).optional(),
    table: z.string({ error: "must be a table name" }).min(1, { error: "must not be empty" }),
    columns,
    limit: positiveInt.optional(),
    p_of_train: z
      .number({ error: "must be a number between 0 and 1" })
      .gt(0, { error: "must be between 0 and 1 (exclusive)" })
      .lt(1, { error: "must be between 0 and 1 (exclusive)" })
      .default(0.8),
    learning_rate: positiveNumber.optional(),
    num_train_epochs: positiveNumber.optional(),
    per_device_train_batch_size: positiveInt.optional(),
    per_device_eval_batch_size: positiveInt.optional(),
    weight_decay: z.number({ error: "must be a number" }).min(0, { error: "must be 0 or more" }).optional(),
    seed: z.number({ error: "must be an integer" }).int({ error: "must be an integer" }).optional(),
    evaluation_strategy: strategy.optional(),
    eval_strategy: strategy.optional(),
    eval_steps: positiveInt.optional(),
    logging_steps: positiveInt.optional(),
    warmup_ratio: z.number({ error: "must be a number" }).min(0).max(1, { error: "must be between 0 and 1" }).optional(),
  })
  .catchall(z.unknown());

const OWN_FIELDS = new Set(Object.keys(runRequestSchema.shape));

/** Names that are neither request fields nor TrainingArguments (reported with the other issues). */
function unknownFieldIssues(body: unknown): { path: string; message: string }[] {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return [];
  return Object.keys(body)
    .filter((k) => !OWN_FIELDS.has(k) && !TRAINING_ARGUMENT_NAMES.has(k) && !HEAD_OPTION_NAMES.has(k))
    .map((k) => ({ path: k, message: "is not a request field nor a Hugging Face TrainingArguments name" }));
}

export type ParsedRunRequest =
  | { ok: true; request: RunRequest }
  | { ok: false; issues: { path: string; message: string }[] };

/** Validates a TrainRequest body; every problem is reported at once, each naming its field. */
export function parseRunRequest(body: unknown): ParsedRunRequest {
  const parsed = runRequestSchema.safeParse(body);
  const issues = [...(parsed.success ? [] : toFieldIssues(parsed.error)), ...unknownFieldIssues(body)];
  if (issues.length > 0 || !parsed.success) return { ok: false, issues };
  return { ok: true, request: parsed.data };
}

export type RunRequestInput = z.input<typeof runRequestSchema>;
export type RunRequest = z.output<typeof runRequestSchema>;

/** The seed's example request, adapted to the demo table (prefills the new-run form). */
export const EXAMPLE_REQUEST = {
  columns: "label,text",
  table: "demo_email",
  limit: 10000,
  p_of_train: 0.8,
  evaluation_strategy: "epoch",
  learning_rate: 0.01,
  num_train_epochs: 5,
  seed: 42,
} as const;

/** zod issues → the API's `issues` list, each naming the request field. */
export function toFieldIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.length ? i.path.join(".") : "(body)", message: i.message }));
}
