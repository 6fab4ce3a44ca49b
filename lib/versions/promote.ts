import type { Prisma, PrismaClient } from "../db/generated/client";
import { localChange } from "../db/invalidated-cache";
import { AppError, conflict, notFound } from "../errors";
import { labelChange } from "../runs/comparison";
import { enqueueEvent } from "../webhooks/outbox";

export interface PromoteRequest {
  modelName: string;
  versionId: string;
  userId?: string | null;
  /** required when the version's labels differ from the serving version's: every client's labels change */
  confirmLabelChange?: boolean;
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
 * Once it commits, this process's serving cache is dropped (other web processes drop theirs on the
 * NOTIFY the change's trigger sends): the very next prediction answers from the new version.
 */
export async function promoteVersion(
  db: PrismaClient,
  p: PromoteRequest,
): Promise<{ model: string; servingVersionId: string; previousVersionId: string | null }> {
  const promoted = await db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string; servingVersionId: string | null; promotedAt: Date | null }[]>`
      SELECT id, "servingVersionId", "promotedAt" FROM "Model" WHERE name = ${p.modelName} FOR UPDATE`;
    const model = locked[0];
    if (!model) throw notFound(`No model is named "${p.modelName}"`);
    const version = await tx.modelVersion.findUnique({ where: { id: p.versionId }, select: { modelId: true, labels: true } });
    if (!version) throw notFound(`No model version has id "${p.versionId}"`);
    if (version.modelId !== model.id) throw conflict(`Version ${p.versionId} belongs to another model, not "${p.modelName}"`);
    const serving = model.servingVersionId ? await tx.modelVersion.findUnique({ where: { id: model.servingVersionId }, select: { labels: true } }) : null;
    if (serving && !p.confirmLabelChange) {
      const change = labelChange(serving.labels, version.labels);
      if (change.added.length > 0 || change.removed.length > 0) throw labelChangeRefused(p.modelName, change);
    }
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
  localChange("serving");
  return promoted;
}

/** 409: promoting would change the labels every client gets; the caller must confirm it. */
function labelChangeRefused(modelName: string, change: { added: string[]; removed: string[] }): AppError {
  const parts = [change.added.length ? `adds ${change.added.join(", ")}` : "", change.removed.length ? `removes ${change.removed.join(", ")}` : ""].filter(Boolean);
  return new AppError(
    "label_change",
    409,
    `Making this version serve changes the labels of "${modelName}": it ${parts.join(" and ")}. Send "confirmLabelChange": true to do it anyway.`,
    [{ path: "confirmLabelChange", message: `must be true: the version ${parts.join(" and ")}` }],
  );
}
