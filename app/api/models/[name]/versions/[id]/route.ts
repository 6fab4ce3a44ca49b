import { db } from "@/lib/db/client";
import { json, readJson, route } from "@/lib/http";
import { badRequest } from "@/lib/errors";
import { setVersionDescription } from "@/lib/versions/description";
import { requireCaller } from "@/lib/session";
import { versionPatchSchema } from "@/lib/validations/registry";
import { toFieldIssues } from "@/lib/validations/field-issues";

export const dynamic = "force-dynamic";

/** Edits a version's description (admin): {"description": "…"} (at most 2,000 characters; "" removes it). */
export const PATCH = route(async (req, ctx: { params: Promise<{ name: string; id: string }> }) => {
  await requireCaller(req, "admin");
  const { name, id } = await ctx.params;
  const parsed = versionPatchSchema.safeParse(await readJson(req));
  if (!parsed.success) throw badRequest(toFieldIssues(parsed.error));
  return json({ model: name, ...(await setVersionDescription(db(), { modelName: name, versionId: id, description: parsed.data.description })) });
});
