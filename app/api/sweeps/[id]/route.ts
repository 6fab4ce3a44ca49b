import { z } from "zod";
import { db } from "@/lib/db/client";
import { json, route } from "@/lib/http";
import { badRequest } from "@/lib/errors";
import { RANK_METRICS } from "@/lib/sweeps/spec";
import { getSweep } from "@/lib/sweeps/store";
import { requireCaller } from "@/lib/session";
import { toFieldIssues } from "@/lib/validations/field-issues";

export const dynamic = "force-dynamic";

const query = z.object({ metric: z.enum(RANK_METRICS, { error: `must be one of ${RANK_METRICS.join(", ")}` }).optional() });

/** The sweep with its runs ranked by ?metric= (default macro_f1, ties by accuracy). */
export const GET = route(async (req, ctx: { params: Promise<{ id: string }> }) => {
  await requireCaller(req);
  const q = query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!q.success) throw badRequest(toFieldIssues(q.error));
  return json(await getSweep(db(), (await ctx.params).id, q.data.metric));
});
