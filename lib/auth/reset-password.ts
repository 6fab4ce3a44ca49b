import type { PrismaClient } from "../db/generated/client";
import { AppError } from "../errors";
import { emailSchema } from "../validations/email";
import { generatePassword } from "./password";
import { clearAccount } from "./throttle";
import { adminEmails, updateUser } from "./users";

// Password recovery from the command line (`npm run admin -- reset-password EMAIL`), for whoever
// can reach the database: a given password, or a generated one that the caller prints once. The
// user's sessions end (updateUser) and the account's sign-in cool-down is lifted.

export async function resetPassword(
  db: PrismaClient,
  rawEmail: string,
  given?: string,
): Promise<{ email: string; password: string; generated: boolean }> {
  const parsed = emailSchema.safeParse(rawEmail);
  if (!parsed.success) throw new Error(`EMAIL: "${rawEmail}" ${parsed.error.issues[0].message}`);
  const email = parsed.data;
  const user = await db.user.findUnique({ where: { email } });
  if (!user) {
    throw new Error(`No user has the e-mail ${email}. Admins: ${(await adminEmails(db)).join(", ") || "(none)"}`);
  }
  const password = given ?? generatePassword();
  try {
    await updateUser(db, user.id, { password });
  } catch (err) {
    if (err instanceof AppError && err.issues?.length) throw new Error(err.issues.map((i) => `new password ${i.message}`).join("; "));
    throw err;
  }
  await clearAccount(db, email);
  return { email, password, generated: given === undefined };
}
