import { z } from "zod";
import { db } from "@/lib/db/client";
import { badRequest, notFound } from "@/lib/errors";
import { json, route } from "@/lib/http";
import { countNewRows } from "@/lib/runs/new-rows";
import { findRunModel, resolveSource } from "@/lib/runs/resolve-request";
import { requireCaller } from "@/lib/session";
import { toFieldIssues } from "@/lib/validations/field-issues";
import { runRequestFields } from "@/lib/validations/run-request";

export const dynamic = "force-dynamic";

const query = z.object({ table: runRequestFields.table, columns: runRequestFields.columns, limit: z.coerce.number().pipe(runRequestFields.limit.unwrap()).optional() });

/** GET /api/models/:name/new-rows?table=&columns=label,text[&limit=]: how many rows its serving version has not trained on. */
export const GET = route(async (req, ctx: { params: Promise<{ name: string }> }) => {
  await requireCaller(req);
  const { name } = await ctx.params;
  const q = query.safeParse(Object.fromEntries([...new URL(req.url).searchParams].filter(([, v]) => v !== "")));
  if (!q.success) throw badRequest(toFieldIssues(q.error));
  const found = await findRunModel(db(), name);
  if (!found.ok) throw notFound(`No model is named "${name}"`);
  const source = await resolveSource(db(), q.data);
  if (!source.ok) throw badRequest(source.issues);
  return json(await countNewRows(db(), found.model.id, source.source, q.data.limit));
});
