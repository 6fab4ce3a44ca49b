import { z } from "zod";

// The one e-mail schema: sign-in, users, API tokens and ADMIN_EMAIL all accept any local@domain
// address, including a domain without a dot (admin@localhost, user@intranet), since the product
// often runs on private networks. zod's .email() would refuse those.

const LOCAL = String.raw`[^\s@]+`;
const LABEL = String.raw`[a-z0-9](?:[a-z0-9-]*[a-z0-9])?`;
const EMAIL = new RegExp(`^${LOCAL}@${LABEL}(?:\\.${LABEL})*$`, "i");

export const EMAIL_MESSAGE = "must be an e-mail address (local@domain, e.g. admin@localhost)";

/** True for local@domain, where domain is one or more dot-separated host-name labels. */
export function isEmailAddress(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

/** Trims and lower-cases; refuses anything but local@domain. */
export const emailSchema = z
  .string({ error: "must be an e-mail address" })
  .trim()
  .toLowerCase()
  .refine(isEmailAddress, { error: EMAIL_MESSAGE });
