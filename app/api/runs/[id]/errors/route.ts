import { z } from "zod";
import { db } from "@/lib/db/client";
import { badRequest } from "@/lib/errors";
import { json, route } from "@/lib/http";
import { runErrors } from "@/lib/runs/web/errors";
import { requireCaller } from "@/lib/session";
import { toFieldIssues } from "@/lib/validations/field-issues";

export const dynamic = "force-dynamic";

const label = z.string().min(1, { error: "must be a label" }).max(1000, { error: "must be at most 1000 characters" });
const query = z.strictObject({
  true: label.optional(),
  predicted: label.optional(),
  limit: z.coerce.number({ error: "must be a number" }).int({ error: "must be an integer" }).min(1, { error: "must be at least 1" }).max(500, { error: "must be at most 500" }).default(50),
  offset: z.coerce.number({ error: "must be a number" }).int({ error: "must be an integer" }).min(0, { error: "must be at least 0" }).default(0),
});

/**
 * GET /api/runs/:id/errors?true=&predicted=&limit=&offset= → {total, rows: [{key, label, predicted, scores, text}]}:
 * the new model's wrong predictions on the scored test rows (with true and predicted both given: that
 * confusion-matrix cell, the diagonal included).
 */
export const GET = route(async (req, ctx: { params: Promise<{ id: string }> }) => {
  await requireCaller(req);
  const { id } = await ctx.params;
  const q = query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!q.success) throw badRequest(toFieldIssues(q.error));
  return json(await runErrors(db(), id, q.data));
});
