import { db } from "@/lib/db/client";
import { json, readJson, route } from "@/lib/http";
import { badRequest } from "@/lib/errors";
import { listAliases, setAlias } from "@/lib/versions/aliases";
import { requireCaller } from "@/lib/session";
import { setAliasSchema } from "@/lib/validations/registry";
import { toFieldIssues } from "@/lib/validations/field-issues";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ name: string }> };

/** A model's aliases besides the serving version: { model, aliases: [{alias, versionId, updatedAt, updatedBy}] }. */
export const GET = route(async (req, ctx: Ctx) => {
  await requireCaller(req);
  const { name } = await ctx.params;
  return json({ model: name, aliases: await listAliases(db(), name) });
});

/** Sets an alias to a version of this model, or moves it there (admin). */
export const POST = route(async (req, ctx: Ctx) => {
  const user = await requireCaller(req, "admin");
  const { name } = await ctx.params;
  const parsed = setAliasSchema.safeParse(await readJson(req));
  if (!parsed.success) throw badRequest(toFieldIssues(parsed.error));
  return json({ model: name, ...(await setAlias(db(), { modelName: name, ...parsed.data, userId: user.id })) });
});
