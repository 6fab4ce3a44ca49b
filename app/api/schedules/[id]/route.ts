import { db } from "@/lib/db/client";
import { json, readJson, route } from "@/lib/http";
import { badRequest } from "@/lib/errors";
import { patchScheduleSchema } from "@/lib/schedules/schema";
import { deleteSchedule, getSchedule, patchSchedule } from "@/lib/schedules/store";
import { requireCaller } from "@/lib/session";
import { toFieldIssues } from "@/lib/validations/field-issues";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

export const GET = route(async (req, ctx: Ctx) => {
  await requireCaller(req);
  return json(await getSchedule(db(), (await ctx.params).id));
});

/** Changes cron, request, autoPromote (null removes it) or enabled; 400 naming each bad field, nothing changed. */
export const PATCH = route(async (req, ctx: Ctx) => {
  await requireCaller(req, "admin");
  const { id } = await ctx.params;
  const parsed = patchScheduleSchema.safeParse(await readJson(req));
  if (!parsed.success) throw badRequest(toFieldIssues(parsed.error));
  return json(await patchSchedule(db(), id, parsed.data));
});

/** Deletes the schedule; its runs stay (their scheduleId becomes null). */
export const DELETE = route(async (req, ctx: Ctx) => {
  await requireCaller(req, "admin");
  const { id } = await ctx.params;
  await deleteSchedule(db(), id);
  return json({ id, deleted: true });
});
