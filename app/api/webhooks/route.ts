import { db } from "@/lib/db/client";
import { json, readJson, route } from "@/lib/http";
import { badRequest } from "@/lib/errors";
import { createWebhookSchema } from "@/lib/webhooks/schema";
import { createWebhook, listWebhooks } from "@/lib/webhooks/store";
import { requireCaller } from "@/lib/session";
import { toFieldIssues } from "@/lib/validations/field-issues";

export const dynamic = "force-dynamic";

/** Every webhook (never its secret) with its latest deliveries: status, attempts, last error. */
export const GET = route(async (req) => {
  await requireCaller(req, "admin");
  return json({ webhooks: await listWebhooks(db()) });
});

/** Adds a webhook: 201; 400 naming each bad field. Deliveries are signed with its secret (X-Signature-256). */
export const POST = route(async (req) => {
  const user = await requireCaller(req, "admin");
  const parsed = createWebhookSchema.safeParse(await readJson(req, { limit: 16 * 1024 }));
  if (!parsed.success) throw badRequest(toFieldIssues(parsed.error));
  return json(await createWebhook(db(), parsed.data, user.id), 201);
});
