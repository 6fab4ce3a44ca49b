import { deleteUser, updateUser } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { json, readJson, route } from "@/lib/http";
import { requireCaller } from "@/lib/session";

type Ctx = { params: Promise<{ id: string }> };

/** {role?, password?}; the last admin cannot be demoted (409). */
export const PATCH = route(async (req, ctx: Ctx) => {
  await requireCaller(req, "admin");
  const { id } = await ctx.params;
  return json(await updateUser(db(), id, await readJson(req)));
});

/** The last admin, and your own account, cannot be deleted (409). */
export const DELETE = route(async (req, ctx: Ctx) => {
  const me = await requireCaller(req, "admin");
  const { id } = await ctx.params;
  await deleteUser(db(), id, me.id);
  return json({ id, deleted: true });
});
