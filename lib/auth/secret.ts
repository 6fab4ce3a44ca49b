import { randomBytes } from "node:crypto";
import type { PrismaClient } from "../db/generated/client";

/** The session-signing secret, made once and kept in the database so every web process shares it. */
export async function ensureAuthSecret(db: PrismaClient): Promise<string> {
  const fresh = randomBytes(32).toString("base64url");
  await db.setting.upsert({ where: { key: "nextauth_secret" }, create: { key: "nextauth_secret", value: fresh }, update: {} });
  const row = await db.setting.findUniqueOrThrow({ where: { key: "nextauth_secret" } });
  return row.value as string;
}
