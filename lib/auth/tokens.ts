import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient } from "../db/generated/client";
import type { SessionUser } from "./types";

// API tokens: 32 random bytes shown once at creation; only their sha256 is stored (a token has
// full entropy, so a fast hash is the right one here, unlike passwords).

const PREFIX = "ftd_";
export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export async function createApiToken(db: PrismaClient, userId: string, name: string): Promise<{ id: string; token: string }> {
  const token = PREFIX + randomBytes(32).toString("base64url");
  const row = await db.apiToken.create({ data: { userId, name, prefix: token.slice(0, 10), tokenHash: hashToken(token) } });
  return { id: row.id, token };
}

/**
 * How stale a token's lastUsedAt may get: it is written at most once a minute per token, so a
 * token used by many concurrent requests does not make each of them write (and wait for a lock on)
 * the same row.
 */
export const LAST_USED_RESOLUTION_MS = 60_000;

export async function userForToken(db: PrismaClient, token: string, now = new Date()): Promise<SessionUser | null> {
  if (!token.startsWith(PREFIX)) return null;
  const row = await db.apiToken.findUnique({ where: { tokenHash: hashToken(token) }, include: { user: true } });
  if (!row || row.revokedAt) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } }).catch(() => {});
  }
  return { id: row.user.id, email: row.user.email, role: row.user.role };
}
