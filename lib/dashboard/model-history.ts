import type { PrismaClient } from "../db/generated/client";
import type { ModelHistoryResponse } from "./types";

/** A model's promotions (newest first) and the version a rollback would serve; null when no model has that name. */
export async function getModelHistory(db: PrismaClient, name: string, limit = 50): Promise<ModelHistoryResponse | null> {
  const model = await db.model.findUnique({ where: { name }, select: { id: true, name: true, servingVersionId: true } });
  if (!model) return null;
  const promotions = await db.promotion.findMany({
    where: { modelId: model.id },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
  });
  const userIds = [...new Set(promotions.map((p) => p.userId).filter((x): x is string => !!x))];
  const users = userIds.length ? await db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, email: true } }) : [];
  // Roll back = serve again what served before the latest promotion (if it still exists).
  const previous = promotions[0]?.previousVersionId ?? null;
  const previousExists =
    previous !== null && previous !== model.servingVersionId
      ? (await db.modelVersion.count({ where: { id: previous, modelId: model.id } })) > 0
      : false;
  return {
    name: model.name,
    servingVersionId: model.servingVersionId,
    rollbackVersionId: previousExists ? previous : null,
    promotions: promotions.map((p) => ({
      id: p.id,
      versionId: p.versionId,
      previousVersionId: p.previousVersionId,
      createdAt: p.createdAt.toISOString(),
      by: users.find((u) => u.id === p.userId)?.email ?? null,
      scheduleId: p.scheduleId,
    })),
  };
}
