import { z } from "zod";
import { db } from "@/lib/db/client";
import { json, route } from "@/lib/http";
import { badRequest } from "@/lib/errors";
import { runLogsAfter } from "@/lib/runs/web/views";
import { requireCaller } from "@/lib/session";
import { toFieldIssues } from "@/lib/validations/field-issues";

export const dynamic = "force-dynamic";
const query = z.object({ after: z.coerce.number().int().min(0).default(0) });

export const GET = route(async (req, ctx: { params: Promise<{ id: string }> }) => {
  await requireCaller(req);
  const { id } = await ctx.params;
  const q = query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!q.success) throw badRequest(toFieldIssues(q.error));
  return json({ lines: await runLogsAfter(db(), id, q.data.after) });
});
