import type { PrismaClient } from "../db/generated/client";
import type { CreateWebhook, WebhookDeliveryView, WebhookEvent, WebhookView } from "./schema";

// Webhook endpoints for the API and Settings: the secret goes in, never out.

const DELIVERIES_SHOWN = 20;

export async function createWebhook(db: PrismaClient, w: CreateWebhook, userId: string | null): Promise<WebhookView> {
  const row = await db.webhook.create({ data: { url: w.url, events: w.events, secret: w.secret, createdById: userId } });
  return { id: row.id, url: row.url, events: row.events as WebhookEvent[], createdAt: row.createdAt.toISOString(), deliveries: [] };
}

/** Every webhook with its latest deliveries (status, attempts, last error), newest first. */
export async function listWebhooks(db: PrismaClient): Promise<WebhookView[]> {
  const rows = await db.webhook.findMany({
    orderBy: { createdAt: "desc" },
    select: { id: true, url: true, events: true, createdAt: true, deliveries: { orderBy: { createdAt: "desc" }, take: DELIVERIES_SHOWN } },
  });
  return rows.map((w) => ({
    id: w.id,
    url: w.url,
    events: w.events as WebhookEvent[],
    createdAt: w.createdAt.toISOString(),
    deliveries: w.deliveries.map(
      (d): WebhookDeliveryView => ({
        id: d.id,
        event: d.event,
        status: d.status as WebhookDeliveryView["status"],
        attempts: d.attempts,
        nextAttemptAt: d.status === "pending" ? d.nextAttemptAt.toISOString() : null,
        lastStatus: d.lastStatus,
        lastError: d.lastError,
        deliveredAt: d.deliveredAt?.toISOString() ?? null,
        createdAt: d.createdAt.toISOString(),
      }),
    ),
  }));
}

/** Deletes a webhook and its deliveries; false when there was none. */
export async function deleteWebhook(db: PrismaClient, id: string): Promise<boolean> {
  return (await db.webhook.deleteMany({ where: { id } })).count > 0;
}
