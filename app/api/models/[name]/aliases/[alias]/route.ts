import { db } from "@/lib/db/client";
import { json, route } from "@/lib/http";
import { deleteAlias } from "@/lib/versions/aliases";
import { requireCaller } from "@/lib/session";

export const dynamic = "force-dynamic";

/** Removes an alias (admin); its version stays. */
export const DELETE = route(async (req, ctx: { params: Promise<{ name: string; alias: string }> }) => {
  await requireCaller(req, "admin");
  const { name, alias } = await ctx.params;
  return json({ model: name, ...(await deleteAlias(db(), name, alias)), deleted: true });
});
