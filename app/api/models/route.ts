import { db } from "@/lib/db/client";
import { json, readJson, route } from "@/lib/http";
import { badRequest } from "@/lib/errors";
import { createModel } from "@/lib/models/configured";
import { listModels } from "@/lib/models/list";
import { requireCaller } from "@/lib/session";
import { createModelSchema } from "@/lib/validations/model-config";
import { toFieldIssues } from "@/lib/validations/field-issues";

export const dynamic = "force-dynamic";

export const GET = route(async (req) => {
  await requireCaller(req);
  return json({ models: await listModels(db()) });
});

/** Adds a configured model (admin). */
export const POST = route(async (req) => {
  await requireCaller(req, "admin");
  const parsed = createModelSchema.safeParse(await readJson(req));
  if (!parsed.success) throw badRequest(toFieldIssues(parsed.error));
  const model = await createModel(db(), parsed.data);
  return json((await listModels(db())).find((m) => m.name === model.name), 201);
});
