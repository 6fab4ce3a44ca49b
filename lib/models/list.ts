import type { PrismaClient } from "../db/generated/client";
import { kindOf } from "../kinds";
import type { Metrics } from "../training/types";
import { modelSettings } from "../validations/model-config";
import { asModelKind } from "../validations/run-request";

/** The serving version's config.json, from the stored artifact (null when nothing serves or it is unreadable). */
async function servingConfig(db: PrismaClient, artifactHash: string | undefined): Promise<Record<string, unknown> | null> {
  if (!artifactHash) return null;
  const file = await db.artifactFile.findUnique({ where: { hash_path: { hash: artifactHash, path: "config.json" } }, select: { bytes: true } });
  try {
    return file ? (JSON.parse(Buffer.from(file.bytes).toString("utf8")) as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

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
  const configs = await Promise.all(models.map((m) => servingConfig(db, m.versions.find((v) => v.id === m.servingVersionId)?.artifactHash)));
  return models.map((m, i) => {
    const settings = modelSettings(m);
    return {
      name: m.name,
      kind: m.kind,
      isDefault: m.isDefault,
      settings,
      /** what it really uses (for the starter: not its settings, see lib/kinds/starter/index.ts) */
      encoding: kindOf(asModelKind(m.kind)).encoding(settings, configs[i]),
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
    };
  });
}
