import { db } from "@/lib/db/client";
import { json, route } from "@/lib/http";
import { AppError } from "@/lib/errors";
import { revokeToken } from "@/lib/auth/tokens";
import { requireCaller } from "@/lib/session";

/** Revokes a token (kept for the audit trail). */
export const DELETE = route(async (req, ctx: { params: Promise<{ id: string }> }) => {
  await requireCaller(req, "admin");
  const { id } = await ctx.params;
  if (!(await revokeToken(db(), id))) throw new AppError("not_found", 404, `No active token has id "${id}"`);
  return json({ id, revoked: true });
});
