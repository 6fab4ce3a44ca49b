import { db } from "@/lib/db/client";
import { listWorkers } from "@/lib/dashboard/workers";
import { json, route } from "@/lib/http";
import { requireCaller } from "@/lib/session";

export const dynamic = "force-dynamic";

/** Workers seen in the last day; `alive` when they heartbeated within `aliveWithinMs`. */
export const GET = route(async (req) => {
  await requireCaller(req);
  return json(await listWorkers(db()));
});
