import { createHmac, timingSafeEqual } from "node:crypto";

// Deliveries carry X-Signature-256: sha256=<hex HMAC-SHA256 of the exact body bytes under the
// webhook's secret>, as GitHub's webhooks do. Receivers recompute it over the raw body.

export const SIGNATURE_HEADER = "X-Signature-256";

export function signBody(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** Whether `header` is the signature of `body` under `secret` (constant-time). */
export function verifySignature(secret: string, body: string | Uint8Array, header: string | null | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(secret, body));
  const got = Buffer.from(header);
  return got.length === expected.length && timingSafeEqual(got, expected);
}
