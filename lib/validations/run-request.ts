import { z } from "zod";
import type { FieldIssue } from "../errors";
import { HEAD_OPTION_NAMES, headOptionsRefusedShape, headOptionsShape } from "./head-options";
import { STARTER_OPTION_NAMES, starterOptionsRefusedShape, starterOptionsShape } from "./starter-options";
import { EARLY_STOPPING_NAMES, earlyStoppingShape, headArgumentsShape, TRAINING_ARGUMENT_NAMES, trainingArgumentsShape } from "./training-arguments";
import { closestName } from "./closest-name";
import { toFieldIssues } from "./field-issues";
import { intAtLeast } from "./value-types";

/** How a run cuts its rows into train and test (lib/rows/split-rule.ts). */
export const SPLIT_KINDS = ["stable", "positional", "random"] as const;
export type SplitKind = (typeof SPLIT_KINDS)[number];

/** Which rows a run trains on: every row, or those the serving version has not trained on. */
export const ROW_SELECTIONS = ["all", "new"] as const;

// The original system's TrainRequest, one complete schema per model kind: the request fields (table, columns
// "label,text", limit, p_of_train, model), every Hugging Face TrainingArguments name typed, and for
// encoder models the head options. Any other name is refused. Shared by the route handler (which
// stores the parsed request for the worker) and the new-run form.

export type Issue = FieldIssue;

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

const requestFieldsShape = {
  model: z.string({ error: "must be a model name" }).min(1, { error: "must not be empty" }).optional(),
  table: z.string({ error: "must be a table name" }).min(1, { error: "must not be empty" }),
  columns,
  limit: intAtLeast(1).optional(),
  p_of_train: z
    .number({ error: "must be a number between 0 and 1" })
    .gt(0, { error: "must be between 0 and 1 (exclusive)" })
    .lt(1, { error: "must be between 0 and 1 (exclusive)" })
    .default(0.8),
  split: z.enum(SPLIT_KINDS, { error: `must be one of ${SPLIT_KINDS.map((k) => `"${k}"`).join(", ")}` }).default("stable"),
  rows: z.enum(ROW_SELECTIONS, { error: 'must be "all" (every row) or "new" (the rows the serving version has not trained on)' }).default("all"),
};

/** The request fields' schemas (table, columns, limit…), for routes that take some of them. */
export const runRequestFields = requestFieldsShape;

/** Every field of a shape, optional. */
export function optionalFields<T extends Record<string, z.ZodType>>(shape: T): { [K in keyof T]: z.ZodOptional<T[K]> } {
  return Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, v.optional()])) as { [K in keyof T]: z.ZodOptional<T[K]> };
}

const NOT_AN_OBJECT = 'must be a JSON object like {"table": "…", "columns": "label,text"}';

/** Early stopping needs evaluations. */
function checkEarlyStopping(r: { early_stopping_patience?: number; eval_strategy?: string; evaluation_strategy?: string }, ctx: z.RefinementCtx): void {
  const strategy = r.eval_strategy ?? r.evaluation_strategy;
  if (r.early_stopping_patience && strategy === "no") {
    ctx.addIssue({ code: "custom", path: ["early_stopping_patience"], message: 'needs evaluations: set eval_strategy to "steps" or "epoch" (or leave it out)' });
  }
}

export const starterRunRequestSchema = z
  .strictObject(
    { ...optionalFields(trainingArgumentsShape), ...optionalFields(earlyStoppingShape), ...headOptionsRefusedShape, ...optionalFields(starterOptionsShape), ...requestFieldsShape },
    { error: NOT_AN_OBJECT },
  )
  .superRefine((r, ctx) => {
    if (r.minn !== undefined && r.maxn !== undefined && r.minn > 0 && r.maxn < r.minn) {
      ctx.addIssue({ code: "custom", path: ["maxn"], message: `must be at least minn (${r.minn})` });
    }
    checkEarlyStopping(r, ctx);
  });

export const encoderRunRequestSchema = z
  .strictObject(
    {
      ...optionalFields(trainingArgumentsShape),
      ...optionalFields(headArgumentsShape),
      ...optionalFields(earlyStoppingShape),
      ...optionalFields(headOptionsShape),
      ...starterOptionsRefusedShape,
      ...requestFieldsShape,
    },
    { error: NOT_AN_OBJECT },
  )
  .superRefine(checkEarlyStopping);

export type StarterRunRequest = z.output<typeof starterRunRequestSchema>;
export type EncoderRunRequest = z.output<typeof encoderRunRequestSchema>;
export type RunRequest = StarterRunRequest | EncoderRunRequest;

/**
 * The request schema of each model kind (lib/kinds/<kind>/ uses its own; the new-run form and
 * POST /api/runs pick one by the model's kind). Client-safe: no server code behind it.
 */
export const RUN_REQUEST_SCHEMAS = { starter: starterRunRequestSchema, encoder: encoderRunRequestSchema } as const;
export type ModelKind = keyof typeof RUN_REQUEST_SCHEMAS;
/** A stored Model.kind as a ModelKind (rows older than the encoder kind say "starter"). */
export const asModelKind = (kind: string): ModelKind => (Object.hasOwn(RUN_REQUEST_SCHEMAS, kind) ? (kind as ModelKind) : "starter");

/** A request parsed by its model kind's schema: what is stored with a run and what the worker reads. */
export type ParsedRun = { kind: "starter"; request: StarterRunRequest } | { kind: "encoder"; request: EncoderRunRequest };

export type ParsedRunRequest = ({ ok: true } & ParsedRun) | { ok: false; issues: Issue[] };

/**
 * Validates a TrainRequest body with the schema of the model's kind; every problem is reported at
 * once, each naming its field. `kind` null (the model is unknown): the encoder schema, which
 * accepts the most, so that every value is still checked.
 */
export function parseRunRequest(body: unknown, kind: ModelKind | null): ParsedRunRequest {
  const schemaKind = kind ?? "encoder";
  const parsed = RUN_REQUEST_SCHEMAS[schemaKind].safeParse(body);
  return parsed.success ? ({ ok: true, kind: schemaKind, request: parsed.data } as ParsedRunRequest) : { ok: false, issues: toRequestIssues(parsed.error) };
}

const KNOWN_NAMES = [...Object.keys(requestFieldsShape), ...TRAINING_ARGUMENT_NAMES, ...EARLY_STOPPING_NAMES, ...HEAD_OPTION_NAMES, ...STARTER_OPTION_NAMES];

function unknownNameMessage(name: string): string {
  const near = closestName(name, KNOWN_NAMES);
  return `is not a request field nor a Hugging Face TrainingArguments name${near ? ` (did you mean "${near}"?)` : ""}`;
}

/** zod issues of a run request → the API's `issues`, an unknown name with its likely spelling. */
export const toRequestIssues = (error: z.ZodError): Issue[] => toFieldIssues(error, unknownNameMessage);

/** The original system's example request, adapted to the demo table (prefills the new-run form). */
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
