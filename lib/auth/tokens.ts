import { createHash, randomBytes } from "node:crypto";
import { isProcessDb } from "../db/client";
import type { PrismaClient } from "../db/generated/client";
import { localChange, sharedCache } from "../db/invalidated-cache";
import type { Role, SessionUser } from "./types";

// API tokens: 32 random bytes shown once at creation; only their sha256 is stored (a token has
// full entropy, so a fast hash is the right one here, unlike passwords). A web process keeps the
// tokens it has seen, with their user and role, in a cache that a revocation, a deleted user or a
// changed role drops (lib/db/invalidated-cache.ts: the "tokens" topic).

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

interface TokenRow {
  id: string;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  user: { id: string; email: string; role: Role };
}

const tokenSelect = { id: true, lastUsedAt: true, revokedAt: true, user: { select: { id: true, email: true, role: true } } } as const;

const g = globalThis as unknown as { tokenLastWritten?: Map<string, number> };
/** token id → the lastUsedAt this process last wrote (a cached row's own lastUsedAt grows old) */
const lastWritten = (g.tokenLastWritten ??= new Map());

export async function userForToken(db: PrismaClient, token: string, now = new Date()): Promise<SessionUser | null> {
  if (!token.startsWith(PREFIX)) return null;
  const tokenHash = hashToken(token);
  const read = (): Promise<TokenRow | null> => db.apiToken.findUnique({ where: { tokenHash }, select: tokenSelect });
  const row = isProcessDb(db) ? await sharedCache<TokenRow | null>("api-tokens", "tokens").get(tokenHash, read, (r) => r !== null && !r.revokedAt) : await read();
  if (!row || row.revokedAt) return null;
  const last = Math.max(row.lastUsedAt?.getTime() ?? -Infinity, lastWritten.get(row.id) ?? -Infinity);
  if (now.getTime() - last >= LAST_USED_RESOLUTION_MS) {
    if (lastWritten.size >= 10_000) lastWritten.clear();
    lastWritten.set(row.id, now.getTime());
    await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } }).catch(() => {});
  }
  return { id: row.user.id, email: row.user.email, role: row.user.role };
}

/** Revokes a token (kept for the audit trail); false when there is no active token with that id. */
export async function revokeToken(db: PrismaClient, id: string): Promise<boolean> {
  const r = await db.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
  localChange("tokens"); // other web processes: the NOTIFY of the change's trigger
  return r.count > 0;
}
