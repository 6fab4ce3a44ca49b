import type { PrismaClient } from "../db/generated/client";
import { generatePassword, hashPassword } from "./password";

/**
 * Creates the first admin when there is no user at all: from ADMIN_EMAIL/ADMIN_PASSWORD, or with a
 * generated password that the caller prints once. Returns what was created, or null.
 */
export async function ensureAdmin(
  db: PrismaClient,
  given: { email?: string; password?: string },
): Promise<{ email: string; password: string; generated: boolean } | null> {
  if ((await db.user.count()) > 0) return null;
  const email = (given.email ?? "admin@localhost").toLowerCase();
  const password = given.password ?? generatePassword();
  await db.user.create({ data: { email, passwordHash: await hashPassword(password), role: "admin", name: "Admin" } });
  return { email, password, generated: !given.password };
}
