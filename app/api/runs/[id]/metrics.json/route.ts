import { db } from "@/lib/db/client";
import { runMetricsResponse } from "@/lib/dashboard/run-metrics";
import { route } from "@/lib/http";
import { requireCaller } from "@/lib/session";

export const dynamic = "force-dynamic";

/** GET /api/runs/:id/metrics.json: the run's metrics, per-class scores and loss curve (lib/dashboard/run-metrics.ts). */
export const GET = route(async (req, ctx: { params: Promise<{ id: string }> }) => {
  await requireCaller(req);
  return runMetricsResponse(db(), (await ctx.params).id, "json");
});
