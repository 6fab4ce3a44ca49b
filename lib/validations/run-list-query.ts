import { z } from "zod";

// The query of the Runs list (GET /api/runs and the /runs page's URL): a search, filters, a sort
// and a page. Client-safe: the page builds its URL with these names and the route parses it.

export const RUN_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;

/** What the list sorts by: a shown column or metric; "-" before it sorts descending. */
export const RUN_SORT_KEYS = ["name", "status", "model", "table", "createdAt", "accuracy", "macroF1", "epochs", "learningRate"] as const;
export type RunSortKey = (typeof RUN_SORT_KEYS)[number];
export const DEFAULT_RUN_SORT = "-createdAt";

const quoted = (values: readonly string[]) => values.map((v) => `"${v}"`).join(", ");

const filterText = z.string().trim().max(200, { error: "must be at most 200 characters" });

export const runListQuerySchema = z.object({
  q: filterText.optional(),
  model: filterText.optional(),
  table: filterText.optional(),
  tag: filterText.optional(),
  status: z.enum(RUN_STATUSES, { error: `must be one of ${quoted(RUN_STATUSES)}` }).optional(),
  sort: z
    .string()
    .default(DEFAULT_RUN_SORT)
    .refine((s) => (RUN_SORT_KEYS as readonly string[]).includes(s.replace(/^-/, "")), {
      error: `must be one of ${quoted(RUN_SORT_KEYS)}, with "-" before it for descending`,
    })
    .transform((s) => ({ key: s.replace(/^-/, "") as RunSortKey, descending: s.startsWith("-") })),
  limit: z.coerce.number({ error: "must be a number" }).int({ error: "must be an integer" }).min(1, { error: "must be between 1 and 200" }).max(200, { error: "must be between 1 and 200" }).default(50),
  offset: z.coerce.number({ error: "must be a number" }).int({ error: "must be an integer" }).min(0, { error: "must be 0 or more" }).default(0),
});

export type RunListQuery = z.output<typeof runListQuerySchema>;
