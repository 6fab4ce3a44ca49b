import { db } from "@/lib/db/client";
import { json, route } from "@/lib/http";
import { AppError } from "@/lib/errors";
import { requestCancel } from "@/lib/runs/queue";
import { getRunView } from "@/lib/runs/web/views";
import { requireCaller } from "@/lib/session";

export const POST = route(async (req, ctx: { params: Promise<{ id: string }> }) => {
  await requireCaller(req, "admin");
  const { id } = await ctx.params;
  const before = await getRunView(db(), id);
  if (!before) throw new AppError("not_found", 404, `No run has id "${id}"`);
  if (!(await requestCancel(db(), id))) throw new AppError("conflict", 409, `Run ${id} has already finished (${before.status})`);
  return json(await getRunView(db(), id), 202);
});
