import { getServerSession } from "next-auth";
import { authOptions } from "./auth/options";
import { userForToken } from "./auth/tokens";
import type { Role, SessionUser } from "./auth/types";
import { db } from "./db/client";
import { HttpError } from "./http";

// The one place that knows how a caller is found: an API token (Authorization: Bearer …) or the
// next-auth session cookie.

export type { SessionUser };

/** The signed-in user of a page (server components), or null. */
export async function getCurrentUser(): Promise<SessionUser | null> {
  const session = await getServerSession(authOptions);
  const u = session?.user as { id?: string; email?: string | null; role?: Role } | undefined;
  if (!u?.id || !u.email || !u.role) return null;
  return { id: u.id, email: u.email, role: u.role };
}

/** The caller of an API route: bearer token first, then the session. */
export async function getCaller(req: Request): Promise<SessionUser | null> {
  const auth = req.headers.get("authorization");
  if (auth?.toLowerCase().startsWith("bearer ")) return userForToken(db(), auth.slice(7).trim());
  return getCurrentUser();
}

/** 401 when anonymous, 403 when the role is not enough. */
export async function requireCaller(req: Request, role: Role = "viewer"): Promise<SessionUser> {
  const user = await getCaller(req);
  if (!user) throw new HttpError(401, "Sign in, or send an API token as 'Authorization: Bearer <token>'");
  if (role === "admin" && user.role !== "admin") throw new HttpError(403, "This action needs the admin role");
  return user;
}
