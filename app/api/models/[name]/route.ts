import { db } from "@/lib/db/client";
import { json, readJson, route } from "@/lib/http";
import { badRequest, AppError } from "@/lib/errors";
import { deleteModel, updateModel } from "@/lib/models/configured";
import { listModels } from "@/lib/models/list";
import { requireCaller } from "@/lib/session";
import { updateModelSchema } from "@/lib/validations/model-config";
import { toFieldIssues } from "@/lib/validations/field-issues";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ name: string }> };

export const GET = route(async (req, ctx: Ctx) => {
  await requireCaller(req);
  const name = (await ctx.params).name;
  const model = (await listModels(db())).find((m) => m.name === name);
  if (!model) throw new AppError("not_found", 404, `No model is named "${name}"`);
  return json(model);
});

export const PATCH = route(async (req, ctx: Ctx) => {
  await requireCaller(req, "admin");
  const name = (await ctx.params).name;
  const parsed = updateModelSchema.safeParse(await readJson(req));
  if (!parsed.success) throw badRequest(toFieldIssues(parsed.error));
  await updateModel(db(), name, parsed.data);
  return json((await listModels(db())).find((m) => m.name === name));
});

export const DELETE = route(async (req, ctx: Ctx) => {
  await requireCaller(req, "admin");
  const name = (await ctx.params).name;
  await deleteModel(db(), name);
  return json({ name, deleted: true });
});
