import type { Prisma, PrismaClient } from "../db/generated/client";
import { conflict, notFound } from "../errors";
import { enqueueEvent } from "../webhooks/outbox";

export interface PromoteRequest {
  modelName: string;
  versionId: string;
  userId?: string | null;
  /** the schedule whose auto-promotion makes this promotion (named in the history) */
  scheduleId?: string | null;
  /** Refuses (409, its message) when it returns a reason, given the locked model row. */
  guard?: (model: { servingVersionId: string | null; promotedAt: Date | null }) => string | null;
  /** More writes in the promotion's transaction (a run log line). */
  alongside?: (tx: Prisma.TransactionClient) => Promise<void>;
}

/**
 * Makes `versionId` the serving version of model `name`, in one transaction (the model row is
 * locked, so concurrent promotions serialise), with its history row and its version.promoted
 * webhook deliveries. The previous version stays in history; promoting it again is the rollback.
 */
export async function promoteVersion(
  db: PrismaClient,
  p: PromoteRequest,
): Promise<{ model: string; servingVersionId: string; previousVersionId: string | null }> {
  return db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string; servingVersionId: string | null; promotedAt: Date | null }[]>`
      SELECT id, "servingVersionId", "promotedAt" FROM "Model" WHERE name = ${p.modelName} FOR UPDATE`;
    const model = locked[0];
    if (!model) throw notFound(`No model is named "${p.modelName}"`);
    const version = await tx.modelVersion.findUnique({ where: { id: p.versionId }, select: { modelId: true } });
    if (!version) throw notFound(`No model version has id "${p.versionId}"`);
    if (version.modelId !== model.id) throw conflict(`Version ${p.versionId} belongs to another model, not "${p.modelName}"`);
    const refused = p.guard?.(model);
    if (refused) throw conflict(refused);
    const promotedAt = new Date();
    await tx.model.update({
      where: { id: model.id },
      data: { servingVersionId: p.versionId, promotedAt, promotedById: p.userId ?? null },
    });
    await tx.promotion.create({
      data: { modelId: model.id, versionId: p.versionId, previousVersionId: model.servingVersionId, userId: p.userId ?? null, scheduleId: p.scheduleId ?? null },
    });
    await enqueueEvent(tx, "version.promoted", {
      model: p.modelName,
      versionId: p.versionId,
      previousVersionId: model.servingVersionId,
      userId: p.userId ?? null,
      scheduleId: p.scheduleId ?? null,
      promotedAt: promotedAt.toISOString(),
    });
    await p.alongside?.(tx);
    return { model: p.modelName, servingVersionId: p.versionId, previousVersionId: model.servingVersionId };
  });
}
