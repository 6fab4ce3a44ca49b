import type { PrismaClient } from "../db/generated/client";
import { conflict, notFound } from "../errors";

/**
 * Makes `versionId` the serving version of model `name`, in one transaction (the model row is
 * locked, so concurrent promotions serialise). The previous version stays in history; promoting it
 * again is the rollback.
 */
export async function promoteVersion(
  db: PrismaClient,
  p: { modelName: string; versionId: string; userId?: string | null },
): Promise<{ model: string; servingVersionId: string; previousVersionId: string | null }> {
  return db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string; servingVersionId: string | null }[]>`
      SELECT id, "servingVersionId" FROM "Model" WHERE name = ${p.modelName} FOR UPDATE`;
    const model = locked[0];
    if (!model) throw notFound(`No model is named "${p.modelName}"`);
    const version = await tx.modelVersion.findUnique({ where: { id: p.versionId }, select: { modelId: true } });
    if (!version) throw notFound(`No model version has id "${p.versionId}"`);
    if (version.modelId !== model.id) throw conflict(`Version ${p.versionId} belongs to another model, not "${p.modelName}"`);
    await tx.model.update({
      where: { id: model.id },
      data: { servingVersionId: p.versionId, promotedAt: new Date(), promotedById: p.userId ?? null },
    });
    await tx.promotion.create({
      data: { modelId: model.id, versionId: p.versionId, previousVersionId: model.servingVersionId, userId: p.userId ?? null },
    });
    return { model: p.modelName, servingVersionId: p.versionId, previousVersionId: model.servingVersionId };
  });
}
