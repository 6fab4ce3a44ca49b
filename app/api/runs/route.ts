import { db } from "@/lib/db/client";
import { json, readJson, route } from "@/lib/http";
import { badRequest } from "@/lib/errors";
import { enqueueRun } from "@/lib/runs/web/enqueue";
import { listRuns } from "@/lib/runs/web/views";
import { requireCaller } from "@/lib/session";
import { toFieldIssues } from "@/lib/validations/field-issues";
import { runListQuerySchema } from "@/lib/validations/run-list-query";

export const dynamic = "force-dynamic";

export const GET = route(async (req) => {
  await requireCaller(req);
  const q = runListQuerySchema.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!q.success) throw badRequest(toFieldIssues(q.error));
  return json(await listRuns(db(), q.data));
});

/** Queues a training run (the original system's TrainRequest, plus optional name, notes and tags). 202 {id}; 400 naming each bad field, nothing queued. */
export const POST = route(async (req) => {
  const user = await requireCaller(req, "admin");
  const body = await readJson(req);
  const queued = await enqueueRun(db(), body, user.id, { trigger: user.via === "token" ? "api" : "manual" });
  if (!queued.ok) throw badRequest(queued.issues);
  return json({ id: queued.id, status: "queued" }, 202);
});
