import { z } from "zod";
import { cronProblem } from "./cron";

// Bodies of POST /api/schedules and PATCH /api/schedules/:id. The run request inside is checked
// afterwards by the run-request schema of the model's kind (store.ts), its issues named
// "request.<field>". Client-safe: the Settings form uses the metric names.

export const AUTO_PROMOTE_METRICS = ["accuracy", "f1", "macro_f1", "precision", "recall", "macro_precision", "macro_recall"] as const;
export type AutoPromoteMetric = (typeof AUTO_PROMOTE_METRICS)[number];

export const autoPromoteSchema = z.strictObject(
  {
    metric: z.enum(AUTO_PROMOTE_METRICS, { error: `must be one of ${AUTO_PROMOTE_METRICS.join(", ")}` }),
    /** absolute fraction: 0.01 is one percentage point */
    minDelta: z
      .number({ error: "must be a number (a fraction: 0.01 is one percentage point)" })
      .min(-1, { error: "must be between -1 and 1 (a fraction: 0.01 is one percentage point)" })
      .max(1, { error: "must be between -1 and 1 (a fraction: 0.01 is one percentage point)" }),
    minTestRows: z.number({ error: "must be a whole number of at least 1" }).int({ error: "must be a whole number of at least 1" }).min(1, { error: "must be at least 1" }),
  },
  { error: 'must be null or an object like {"metric": "accuracy", "minDelta": 0.005, "minTestRows": 50}' },
);
export type AutoPromoteRule = z.output<typeof autoPromoteSchema>;

const cron = z
  .string({ error: 'must be a cron expression such as "0 3 * * *"' })
  .trim()
  .min(1, { error: 'must be a cron expression such as "0 3 * * *"' })
  .max(200, { error: "must be at most 200 characters" })
  .superRefine((s, ctx) => {
    const problem = cronProblem(s);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

const request = z.record(z.string(), z.unknown(), { error: 'must be a run request object like {"table": "…", "columns": "label,text"}' });

export const createScheduleSchema = z.strictObject(
  {
    model: z.string({ error: "must be a model name" }).min(1, { error: "must be a model name" }).max(200, { error: "must be a model name" }),
    cron,
    request,
    autoPromote: autoPromoteSchema.nullable().optional(),
    enabled: z.boolean({ error: "must be true or false" }).optional(),
  },
  { error: 'must be a JSON object like {"model": "default", "cron": "0 3 * * *", "request": {…}}' },
);
export type CreateSchedule = z.output<typeof createScheduleSchema>;

export const patchScheduleSchema = z.strictObject(
  {
    cron: cron.optional(),
    request: request.optional(),
    autoPromote: autoPromoteSchema.nullable().optional(),
    enabled: z.boolean({ error: "must be true or false" }).optional(),
  },
  { error: 'must be a JSON object with any of "cron", "request", "autoPromote", "enabled"' },
);
export type PatchSchedule = z.output<typeof patchScheduleSchema>;

/** GET /api/schedules (each) and /api/schedules/:id */
export interface ScheduleView {
  id: string;
  model: string;
  cron: string;
  request: Record<string, unknown>;
  autoPromote: AutoPromoteRule | null;
  enabled: boolean;
  /** the next tick (UTC); null while disabled */
  nextRunAt: string | null;
  lastRun: { id: string; status: string; createdAt: string } | null;
  lastSkippedAt: string | null;
  lastSkipReason: string | null;
  createdAt: string;
  updatedAt: string;
}
