import { z } from "zod";
import { previewTable } from "@/lib/data/tables";
import { db } from "@/lib/db/client";
import { json, route } from "@/lib/http";
import { badRequest } from "@/lib/errors";
import { requireCaller } from "@/lib/session";
import { toFieldIssues } from "@/lib/validations/field-issues";

export const dynamic = "force-dynamic";

const query = z.object({
  label: z.string().trim().min(1).optional(),
  text: z.string().trim().min(1).optional(),
  rows: z.coerce.number().int({ error: "must be an integer" }).min(1, { error: "must be at least 1" }).max(100, { error: "must be at most 100" }).default(10),
});

/** The first rows and, with ?label=, the label distribution (and with &text=, how many rows a run would skip). */
export const GET = route(async (req, ctx: { params: Promise<{ name: string }> }) => {
  await requireCaller(req);
  const { name } = await ctx.params;
  const q = query.safeParse(Object.fromEntries([...new URL(req.url).searchParams].filter(([, v]) => v !== "")));
  if (!q.success) throw badRequest(toFieldIssues(q.error));
  return json(await previewTable(db(), name, q.data));
});
