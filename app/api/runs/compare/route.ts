import { db } from "@/lib/db/client";
import { compareRuns, parseCompareIds } from "@/lib/dashboard/run-compare";
import { json, route } from "@/lib/http";
import { requireCaller } from "@/lib/session";

export const dynamic = "force-dynamic";

/** GET /api/runs/compare?ids=a,b,c: the runs' views and their arguments lined up (lib/dashboard/run-compare.ts). */
export const GET = route(async (req) => {
  await requireCaller(req);
  const ids = parseCompareIds(new URL(req.url).searchParams.get("ids"));
  return json(await compareRuns(db(), ids));
});
