import { db } from "@/lib/db/client";
import { json, route } from "@/lib/http";
import { notFound } from "@/lib/errors";
import { deleteWebhook } from "@/lib/webhooks/store";
import { requireCaller } from "@/lib/session";

export const dynamic = "force-dynamic";

/** Deletes a webhook and its pending deliveries. */
export const DELETE = route(async (req, ctx: { params: Promise<{ id: string }> }) => {
  await requireCaller(req, "admin");
  const { id } = await ctx.params;
  if (!(await deleteWebhook(db(), id))) throw notFound(`No webhook has id "${id}"`);
  return json({ id, deleted: true });
});
