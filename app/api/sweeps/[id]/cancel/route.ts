import { db } from "@/lib/db/client";
import { json, route } from "@/lib/http";
import { cancelSweep } from "@/lib/sweeps/store";
import { requireCaller } from "@/lib/session";

/** Cancels the sweep's queued and running runs: 202 {id, cancelled: [run ids]}; 409 when none is queued or running. */
export const POST = route(async (req, ctx: { params: Promise<{ id: string }> }) => {
  await requireCaller(req, "admin");
  return json(await cancelSweep(db(), (await ctx.params).id), 202);
});
