import { z } from "zod";

// POST /api/webhooks bodies. Client-safe: the Settings form uses the event names too.

export const WEBHOOK_EVENTS = ["run.finished", "version.promoted"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

const url = z
  .string({ error: "must be an http:// or https:// URL" })
  .trim()
  .max(2000, { error: "must be at most 2000 characters" })
  .refine(
    (s) => {
      try {
        const u = new URL(s);
        return (u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "";
      } catch {
        return false;
      }
    },
    { error: "must be an http:// or https:// URL" },
  )
  .refine((s) => !URL.canParse(s) || (new URL(s).username === "" && new URL(s).password === ""), { error: "must not hold a user name or password" });

export const createWebhookSchema = z.strictObject(
  {
    url,
    events: z
      .array(z.enum(WEBHOOK_EVENTS, { error: `must each be one of ${WEBHOOK_EVENTS.join(", ")}` }), { error: `must be a list of events (${WEBHOOK_EVENTS.join(", ")})` })
      .min(1, { error: "must name at least one event" })
      .max(WEBHOOK_EVENTS.length, { error: "lists an event more than once" })
      .refine((e) => new Set(e).size === e.length, { error: "lists an event more than once" }),
    secret: z
      .string({ error: "must be a string of 16 to 256 characters" })
      .min(16, { error: "must be at least 16 characters" })
      .max(256, { error: "must be at most 256 characters" }),
  },
  { error: 'must be a JSON object like {"url": "https://…", "events": ["run.finished"], "secret": "…"}' },
);

export type CreateWebhook = z.output<typeof createWebhookSchema>;

/** GET /api/webhooks: the secret is never returned. */
export interface WebhookView {
  id: string;
  url: string;
  events: WebhookEvent[];
  createdAt: string;
  deliveries: WebhookDeliveryView[];
}

export interface WebhookDeliveryView {
  id: string;
  event: string;
  /** "pending" (waiting for its next attempt), "delivered" or "failed" (gave up) */
  status: "pending" | "delivered" | "failed";
  attempts: number;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
}
