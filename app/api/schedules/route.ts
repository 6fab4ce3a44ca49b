import { z } from "zod";
import { db } from "@/lib/db/client";
import { json, readJson, route } from "@/lib/http";
import { badRequest } from "@/lib/errors";
import { createScheduleSchema } from "@/lib/schedules/schema";
import { createSchedule, listSchedules } from "@/lib/schedules/store";
import { requireCaller } from "@/lib/session";
import { toFieldIssues } from "@/lib/validations/field-issues";

export const dynamic = "force-dynamic";

const listQuery = z.object({ model: z.string().min(1).max(200).optional() });

/** Every schedule (?model= one model's), with its next tick, last run and last skipped tick. */
export const GET = route(async (req) => {
  await requireCaller(req);
  const q = listQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!q.success) throw badRequest(toFieldIssues(q.error));
  return json({ schedules: await listSchedules(db(), q.data) });
});

/** Creates a schedule: 201 with it; 400 naming each bad field (request fields as "request.<field>"), nothing written. */
export const POST = route(async (req) => {
  const user = await requireCaller(req, "admin");
  const parsed = createScheduleSchema.safeParse(await readJson(req));
  if (!parsed.success) throw badRequest(toFieldIssues(parsed.error));
  return json(await createSchedule(db(), parsed.data, user.id), 201);
});
