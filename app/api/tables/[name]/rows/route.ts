import { z } from "zod";
import { browseRows } from "@/lib/data/tables";
import { db } from "@/lib/db/client";
import { json, route } from "@/lib/http";
import { badRequest } from "@/lib/errors";
import { requireCaller } from "@/lib/session";
import { toFieldIssues } from "@/lib/validations/field-issues";

export const dynamic = "force-dynamic";

const query = z.object({
  q: z.string().max(200, { error: "must be at most 200 characters" }).optional(),
  offset: z.coerce.number().int({ error: "must be an integer" }).min(0, { error: "must be 0 or more" }).default(0),
  limit: z.coerce.number().int({ error: "must be an integer" }).min(1, { error: "must be at least 1" }).max(200, { error: "must be at most 200" }).default(25),
  label: z.string().min(1).optional(),
  labelValue: z.string().optional(),
});

/** A page of rows; ?q= keeps those whose text columns contain it (case-insensitive). */
export const GET = route(async (req, ctx: { params: Promise<{ name: string }> }) => {
  await requireCaller(req);
  const { name } = await ctx.params;
  const q = query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!q.success) throw badRequest(toFieldIssues(q.error));
  return json(await browseRows(db(), name, q.data));
});
