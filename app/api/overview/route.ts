import { db } from "@/lib/db/client";
import { getOverview } from "@/lib/dashboard/overview";
import { json, route } from "@/lib/http";
import { requireCaller } from "@/lib/session";

export const dynamic = "force-dynamic";

/** The Overview page: serving version per model, latest runs, workers. */
export const GET = route(async (req) => {
  await requireCaller(req);
  return json(await getOverview(db()));
});
