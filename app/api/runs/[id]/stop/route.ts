import { db } from "@/lib/db/client";
import { json, route } from "@/lib/http";
import { AppError } from "@/lib/errors";
import { requestStop } from "@/lib/runs/queue";
import { getRunView } from "@/lib/runs/web/views";
import { requireCaller } from "@/lib/session";

// "Stop and keep the best so far": training ends early, and the run still evaluates and saves the
// best weights it had (a candidate version, as after a full run). Only a running run can be stopped.
export const POST = route(async (req, ctx: { params: Promise<{ id: string }> }) => {
  await requireCaller(req, "admin");
  const { id } = await ctx.params;
  const before = await getRunView(db(), id);
  if (!before) throw new AppError("not_found", 404, `No run has id "${id}"`);
  if (!(await requestStop(db(), id))) {
    throw new AppError("conflict", 409, before.status === "queued" ? `Run ${id} has not started training yet: cancel it instead` : `Run ${id} is not running (${before.status})`);
  }
  return json(await getRunView(db(), id), 202);
});
