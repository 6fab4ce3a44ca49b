import { z } from "zod";
import type { PrismaClient } from "../db/generated/client";
import { localChange } from "../db/invalidated-cache";
import { AppError, badRequest } from "../errors";
import { emailSchema } from "../validations/email";
import { newPasswordSchema as password } from "../validations/password";
import { hashPassword } from "./password";
import type { Role } from "./types";

// Users and roles, as the settings page manages them. There is always at least one admin: the
// last one can be neither deleted nor demoted (checked under a lock, so two admins demoting each
// other at once cannot both succeed). Changing a user's password or role, or deleting them, ends
// their sessions (sessionVersion, checked by lib/session.ts); a changed role or a deleted user
// also drops the web processes' cached API tokens (lib/db/invalidated-cache.ts).

const role = z.enum(["admin", "viewer"], { error: 'must be "admin" or "viewer"' });

export const createUserSchema = z.object({
  email: emailSchema,
  password,
  role: role.default("viewer"),
  name: z.string().trim().max(100).optional(),
});

export const updateUserSchema = z
  .object({ role: role.optional(), password: password.optional(), name: z.string().trim().max(100).optional() })
  .strict();

export interface UserView {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  createdAt: string;
  tokens: number;
}

type Issue = { path: string; message: string };
const issuesOf = (e: z.ZodError): Issue[] => e.issues.map((i) => ({ path: i.path.join(".") || (i.code === "unrecognized_keys" ? (i as { keys?: string[] }).keys?.join(",") ?? "(body)" : "(body)"), message: i.message }));

export async function listUsers(db: PrismaClient): Promise<UserView[]> {
  const users = await db.user.findMany({ orderBy: { createdAt: "asc" }, include: { _count: { select: { tokens: { where: { revokedAt: null } } } } } });
  return users.map((u) => ({ id: u.id, email: u.email, name: u.name, role: u.role, createdAt: u.createdAt.toISOString(), tokens: u._count.tokens }));
}

/** The admins' e-mails, oldest account first. */
export async function adminEmails(db: PrismaClient): Promise<string[]> {
  const admins = await db.user.findMany({ where: { role: "admin" }, select: { email: true }, orderBy: { createdAt: "asc" } });
  return admins.map((a) => a.email);
}

export async function createUser(db: PrismaClient, body: unknown): Promise<UserView> {
  const parsed = createUserSchema.safeParse(body);
  if (!parsed.success) throw badRequest(issuesOf(parsed.error));
  const { email, role: r, name } = parsed.data;
  if (await db.user.findUnique({ where: { email } })) {
    throw new AppError("conflict", 409, `A user with the e-mail ${email} already exists`, [{ path: "email", message: "is already used by another user" }]);
  }
  const u = await db.user.create({ data: { email, role: r, name: name || null, passwordHash: await hashPassword(parsed.data.password) } });
  return { id: u.id, email: u.email, name: u.name, role: u.role, createdAt: u.createdAt.toISOString(), tokens: 0 };
}

const LAST_ADMIN = "there must always be at least one admin";

/** Locks the admin rows and says how many there are (inside a transaction). */
async function lockAdmins(tx: Pick<PrismaClient, "$queryRaw">): Promise<string[]> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "User" WHERE role = 'admin' ORDER BY id FOR UPDATE`;
  return rows.map((r) => r.id);
}

export async function updateUser(db: PrismaClient, id: string, body: unknown): Promise<UserView> {
  const parsed = updateUserSchema.safeParse(body);
  if (!parsed.success) throw badRequest(issuesOf(parsed.error));
  const { role: r, password: pw, name } = parsed.data;
  const passwordHash = pw ? await hashPassword(pw) : undefined;
  const view = await db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id } });
    if (!user) throw new AppError("not_found", 404, `No user has id "${id}"`);
    if (r === "viewer" && user.role === "admin") {
      const admins = await lockAdmins(tx);
      if (admins.length <= 1) throw new AppError("conflict", 409, `${user.email} is the last admin and cannot be made a viewer: ${LAST_ADMIN}`, [{ path: "role", message: LAST_ADMIN }]);
    }
    const endSessions = Boolean(passwordHash) || (r !== undefined && r !== user.role);
    const u = await tx.user.update({
      where: { id },
      data: {
        ...(r ? { role: r } : {}),
        ...(passwordHash ? { passwordHash } : {}),
        ...(name !== undefined ? { name: name || null } : {}),
        ...(endSessions ? { sessionVersion: { increment: 1 } } : {}),
      },
      include: { _count: { select: { tokens: { where: { revokedAt: null } } } } },
    });
    return { id: u.id, email: u.email, name: u.name, role: u.role, createdAt: u.createdAt.toISOString(), tokens: u._count.tokens };
  });
  localChange("tokens");
  return view;
}

export async function deleteUser(db: PrismaClient, id: string, callerId: string): Promise<void> {
  if (id === callerId) throw new AppError("conflict", 409, "You cannot delete your own account; another admin can");
  await db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id } });
    if (!user) throw new AppError("not_found", 404, `No user has id "${id}"`);
    if (user.role === "admin") {
      const admins = await lockAdmins(tx);
      if (admins.length <= 1) throw new AppError("conflict", 409, `${user.email} is the last admin and cannot be deleted: ${LAST_ADMIN}`);
    }
    await tx.user.delete({ where: { id } });
  });
  localChange("tokens");
}
