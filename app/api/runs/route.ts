import { z } from "zod";
import { db } from "@/lib/db/client";
import { json, readJson, route } from "@/lib/http";
import { badRequest } from "@/lib/errors";
import { enqueueRun } from "@/lib/runs/web/enqueue";
import { listRuns } from "@/lib/runs/web/views";
import { requireCaller } from "@/lib/session";
import { toFieldIssues } from "@/lib/validations/field-issues";

export const dynamic = "force-dynamic";

const listQuery = z.object({
  status: z.enum(["queued", "running", "succeeded", "failed", "cancelled"]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const GET = route(async (req) => {
  await requireCaller(req);
  const q = listQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!q.success) throw badRequest(toFieldIssues(q.error));
  return json(await listRuns(db(), q.data));
});

/** Queues a training run (the original system's TrainRequest). 202 {id}; 400 naming each bad field, nothing queued. */
export const POST = route(async (req) => {
  const user = await requireCaller(req, "admin");
  const body = await readJson(req);
  const queued = await enqueueRun(db(), body, user.id, { trigger: user.via === "token" ? "api" : "manual" });
  if (!queued.ok) throw badRequest(queued.issues);
  return json({ id: queued.id, status: "queued" }, 202);
});
