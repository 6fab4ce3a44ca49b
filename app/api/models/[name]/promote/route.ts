import { z } from "zod";
import { db } from "@/lib/db/client";
import { json, readJson, route } from "@/lib/http";
import { badRequest, AppError } from "@/lib/errors";
import { promoteVersion } from "@/lib/versions/promote";
import { requireCaller } from "@/lib/session";
import { toFieldIssues } from "@/lib/validations/field-issues";

const body = z.strictObject({
  versionId: z.string({ error: "must be a version id" }).min(1, { error: "must be a version id" }),
  confirmLabelChange: z.boolean({ error: "must be true or false" }).optional(),
});

/** The Override button: makes a version serve (and, with an older version, the rollback). */
export const POST = route(async (req, ctx: { params: Promise<{ name: string }> }) => {
  const user = await requireCaller(req, "admin");
  const { name } = await ctx.params;
  const parsed = body.safeParse(await readJson(req));
  if (!parsed.success) throw badRequest(toFieldIssues(parsed.error));
  return json(await promoteVersion(db(), { modelName: name, versionId: parsed.data.versionId, confirmLabelChange: parsed.data.confirmLabelChange, userId: user.id }));
});
