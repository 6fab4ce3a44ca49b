import { z } from "zod";
import { db } from "@/lib/db/client";
import { json, readJson, route } from "@/lib/http";
import { badRequest } from "@/lib/errors";
import { createSweepSchema, RANK_METRICS } from "@/lib/sweeps/spec";
import { createSweep, listSweeps } from "@/lib/sweeps/store";
import { requireCaller } from "@/lib/session";
import { toFieldIssues } from "@/lib/validations/field-issues";

export const dynamic = "force-dynamic";

const listQuery = z.object({
  limit: z.coerce.number({ error: "must be a whole number from 1 to 200" }).int({ error: "must be a whole number from 1 to 200" }).min(1).max(200).default(50),
  metric: z.enum(RANK_METRICS, { error: `must be one of ${RANK_METRICS.join(", ")}` }).optional(),
});

/** The newest sweeps, each with its run counts and best run (?metric= ranks by another metric). */
export const GET = route(async (req) => {
  await requireCaller(req);
  const q = listQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!q.success) throw badRequest(toFieldIssues(q.error));
  return json({ sweeps: await listSweeps(db(), q.data) });
});

/** Queues one run per point of a grid or of random draws: 201 with the sweep and its runs; 400 naming each problem, nothing queued. */
export const POST = route(async (req) => {
  const user = await requireCaller(req, "admin");
  const parsed = createSweepSchema.safeParse(await readJson(req));
  if (!parsed.success) throw badRequest(toFieldIssues(parsed.error));
  return json(await createSweep(db(), parsed.data, { userId: user.id, trigger: user.via === "token" ? "api" : "manual" }), 201);
});
