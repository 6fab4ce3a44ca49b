import { getServerSession } from "next-auth";
import { authOptions } from "./auth/options";
import { userForToken } from "./auth/tokens";
import type { Role, SessionUser } from "./auth/types";
import { db } from "./db/client";
import { AppError } from "./errors";

// The one place that knows how a caller is found: an API token (Authorization: Bearer …) or the
// next-auth session cookie.

export type { SessionUser };

/**
 * The signed-in user of a page (server components), or null. The session only names the user and
 * the user's session version: the role is read from the database on every request, and a session
 * whose version is older than the user's (password or role changed since) or whose user was
 * deleted is over.
 */
export async function getCurrentUser(): Promise<SessionUser | null> {
  const session = await getServerSession(authOptions);
  const claims = session?.user as { id?: string; sessionVersion?: number } | undefined;
  if (!claims?.id) return null;
  const user = await db().user.findUnique({ where: { id: claims.id }, select: { id: true, email: true, role: true, sessionVersion: true } });
  if (!user || user.sessionVersion !== claims.sessionVersion) return null;
  return { id: user.id, email: user.email, role: user.role as Role };
}

/** The caller of an API route: bearer token first, then the session. */
export async function getCaller(req: Request): Promise<SessionUser | null> {
  const auth = req.headers.get("authorization");
  if (auth?.toLowerCase().startsWith("bearer ")) {
    const user = await userForToken(db(), auth.slice(7).trim());
    return user && { ...user, via: "token" };
  }
  const user = await getCurrentUser();
  return user && { ...user, via: "session" };
}

/** 401 when anonymous, 403 when the role is not enough. */
export async function requireCaller(req: Request, role: Role = "viewer"): Promise<SessionUser> {
  const user = await getCaller(req);
  if (!user) throw new AppError("unauthenticated", 401, "Sign in, or send an API token as 'Authorization: Bearer <token>'");
  if (role === "admin" && user.role !== "admin") throw new AppError("forbidden", 403, "This action needs the admin role");
  return user;
}
