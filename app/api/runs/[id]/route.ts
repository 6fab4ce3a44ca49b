import { db } from "@/lib/db/client";
import { json, readJson, route } from "@/lib/http";
import { AppError } from "@/lib/errors";
import { updateRunMeta } from "@/lib/runs/web/meta";
import { getRunView } from "@/lib/runs/web/views";
import { requireCaller } from "@/lib/session";

export const dynamic = "force-dynamic";

export const GET = route(async (req, ctx: { params: Promise<{ id: string }> }) => {
  await requireCaller(req);
  const { id } = await ctx.params;
  const run = await getRunView(db(), id);
  if (!run) throw new AppError("not_found", 404, `No run has id "${id}"`);
  return json(run);
});

/** Edits the run's name, notes and tags (admins): 200 with the run; 400 naming each bad or unknown field; 404. */
export const PATCH = route(async (req, ctx: { params: Promise<{ id: string }> }) => {
  await requireCaller(req, "admin");
  const { id } = await ctx.params;
  await updateRunMeta(db(), id, await readJson(req));
  return json(await getRunView(db(), id));
});
