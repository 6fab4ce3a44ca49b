import type { PrismaClient } from "../db/generated/client";
import type { Metrics } from "../training/types";
import { modelSettings } from "../validations/model-config";

/** GET /api/models: every configured model with its settings and version history (newest first), each version with its description and aliases. */
export async function listModels(db: PrismaClient) {
  const models = await db.model.findMany({
    orderBy: { name: "asc" },
    include: {
      versions: { orderBy: { createdAt: "desc" }, include: { run: { select: { id: true } } } },
      aliases: { orderBy: { alias: "asc" }, select: { alias: true, versionId: true } },
    },
  });
  const promoters = await db.user.findMany({
    where: { id: { in: models.map((m) => m.promotedById).filter((x): x is string => !!x) } },
    select: { id: true, email: true },
  });
  return models.map((m) => ({
    name: m.name,
    kind: m.kind,
    isDefault: m.isDefault,
    settings: modelSettings(m),
    servingVersionId: m.servingVersionId,
    promotedAt: m.promotedAt?.toISOString() ?? null,
    promotedBy: promoters.find((u) => u.id === m.promotedById)?.email ?? null,
    versions: m.versions.map((v) => {
      const metrics = v.metrics as Metrics | null;
      return {
        id: v.id,
        createdAt: v.createdAt.toISOString(),
        runId: v.run?.id ?? null,
        parentId: v.parentId,
        labels: v.labels,
        description: v.description,
        /** the model's aliases that name this version */
        aliases: m.aliases.filter((a) => a.versionId === v.id).map((a) => a.alias),
        accuracy: metrics?.accuracy ?? null,
        f1: metrics?.f1 ?? null,
        macroF1: metrics?.macro_f1 ?? null,
        serving: v.id === m.servingVersionId,
      };
    }),
  }));
}
