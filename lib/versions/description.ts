import type { PrismaClient } from "../db/generated/client";
import { notFound } from "../errors";

// A version's description: what it is, in the admins' words (shown on the Models page and in the
// export's model card). The only thing about a version that changes after it is saved.

/** Sets (or, with an empty text, removes) the description of version `versionId` of model `modelName`. */
export async function setVersionDescription(
  db: Pick<PrismaClient, "model" | "modelVersion">,
  p: { modelName: string; versionId: string; description: string },
): Promise<{ id: string; description: string | null }> {
  const model = await db.model.findUnique({ where: { name: p.modelName }, select: { id: true } });
  if (!model) throw notFound(`No model is named "${p.modelName}"`);
  const description = p.description.trim() === "" ? null : p.description;
  const updated = await db.modelVersion.updateMany({ where: { id: p.versionId, modelId: model.id }, data: { description } });
  if (updated.count === 0) throw notFound(`Model "${p.modelName}" has no version "${p.versionId}"`);
  return { id: p.versionId, description };
}
