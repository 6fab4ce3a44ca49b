import { db } from "@/lib/db/client";
import { json, route } from "@/lib/http";
import { AppError } from "@/lib/errors";
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
