import { listTables } from "@/lib/data/tables";
import { db } from "@/lib/db/client";
import { json, route } from "@/lib/http";
import { requireCaller } from "@/lib/session";

export const dynamic = "force-dynamic";

/** The user tables a run can read (never the product's own), with columns and row counts. */
export const GET = route(async (req) => {
  await requireCaller(req);
  return json({ tables: await listTables(db()) });
});
