import { z } from "zod";

// A new password's rules, shared by the users API and the settings forms. scrypt reads every byte
// of a password (lib/auth/password.ts), so the upper limit only bounds the work of one request.

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 200;
export const PASSWORD_RULE = `${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`;

export const newPasswordSchema = z
  .string({ error: "must be a string" })
  .min(PASSWORD_MIN_LENGTH, { error: `must be at least ${PASSWORD_MIN_LENGTH} characters` })
  .max(PASSWORD_MAX_LENGTH, { error: `must be at most ${PASSWORD_MAX_LENGTH} characters` });

/** The first problem with a new password, or null. */
export function passwordProblem(password: string): string | null {
  const r = newPasswordSchema.safeParse(password);
  return r.success ? null : r.error.issues[0].message;
}
