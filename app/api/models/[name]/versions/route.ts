import { db } from "@/lib/db/client";
import { getModelHistory } from "@/lib/dashboard/model-history";
import { json, route } from "@/lib/http";
import { AppError } from "@/lib/errors";
import { requireCaller } from "@/lib/session";

export const dynamic = "force-dynamic";

/** A model's promotion history and the version "roll back" would serve (the versions themselves: GET /api/models). */
export const GET = route(async (req, ctx: { params: Promise<{ name: string }> }) => {
  await requireCaller(req);
  const { name } = await ctx.params;
  const history = await getModelHistory(db(), name);
  if (!history) throw new AppError("not_found", 404, `No model is named "${name}"`);
  return json(history);
});
