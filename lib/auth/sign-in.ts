import type { PrismaClient } from "../db/generated/client";
import { hashPassword, verifyNoUser, verifyPassword } from "./password";
import { recordFailure, recordSuccess, type ThrottleKey } from "./throttle";
import type { Role } from "./types";

// Checks an e-mail and password for the credentials sign-in. The same work happens whether the
// e-mail exists or not (an unknown e-mail is checked against a dummy hash), so the answer's time
// does not tell which e-mails have accounts. Failures count towards the throttle's keys (the
// caller refuses locked keys before calling this); an outdated hash is rewritten on success.

export interface SignedInUser {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  sessionVersion: number;
}

export async function checkCredentials(db: PrismaClient, email: string, password: string, keys: ThrottleKey[]): Promise<SignedInUser | null> {
  const user = await db.user.findUnique({ where: { email } });
  const verdict = user ? await verifyPassword(password, user.passwordHash) : { ok: await verifyNoUser(password), rehash: false };
  if (!user || !verdict.ok) {
    await recordFailure(db, keys);
    return null;
  }
  await recordSuccess(db, keys);
  if (verdict.rehash) {
    // Only if the hash is still the one just checked (a concurrent password change wins).
    await db.user.updateMany({ where: { id: user.id, passwordHash: user.passwordHash }, data: { passwordHash: await hashPassword(password) } });
  }
  return { id: user.id, email: user.email, name: user.name, role: user.role, sessionVersion: user.sessionVersion };
}
