import type { PrismaClient } from "../db/generated/client";
import type { RunStats } from "../runs/types";
import type { Metrics } from "../training/types";
import type { ModelCardData, ModelCardLineage } from "./model-card";

// Reads what a version's model card says (model-card.ts renders it): the version, the run that made
// it, the aliases naming it now, and its parent chain.

/** how far the parent chain is followed */
const MAX_LINEAGE = 100;

/** The model card's data for version `versionId`, or null when there is no such version. */
export async function loadModelCardData(db: Pick<PrismaClient, "modelVersion">, versionId: string): Promise<ModelCardData | null> {
  const v = await db.modelVersion.findUnique({
    where: { id: versionId },
    select: {
      id: true,
      createdAt: true,
      description: true,
      labels: true,
      metrics: true,
      parentId: true,
      model: { select: { name: true, servingVersionId: true } },
      aliases: { select: { alias: true }, orderBy: { alias: "asc" } },
      run: { select: { id: true, request: true, stats: true, metricsOld: true, metricsNew: true, finishedAt: true } },
    },
  });
  if (!v) return null;
  const lineage: ModelCardLineage[] = [];
  const seen = new Set([v.id]);
  for (let id = v.parentId; id && !seen.has(id) && lineage.length < MAX_LINEAGE; ) {
    seen.add(id);
    const p = await db.modelVersion.findUnique({ where: { id }, select: { id: true, createdAt: true, description: true, parentId: true } });
    if (!p) break;
    lineage.push({ id: p.id, createdAt: p.createdAt.toISOString(), description: p.description });
    id = p.parentId;
  }
  let run: ModelCardData["run"] = null;
  if (v.run) {
    const { table, columns, model: _model, ...args } = (v.run.request ?? {}) as Record<string, unknown>;
    const stats = (v.run.stats ?? {}) as Partial<RunStats>;
    run = {
      id: v.run.id,
      table: typeof table === "string" ? table : null,
      columns: typeof columns === "string" ? columns : null,
      finishedAt: v.run.finishedAt?.toISOString() ?? null,
      rows: { train: stats.trainRows ?? null, test: stats.testRows ?? null, skipped: stats.skippedRows ?? null },
      arguments: args,
      metrics: { old: v.run.metricsOld as Metrics | null, new: (v.run.metricsNew ?? v.metrics) as Metrics | null },
      calibration: typeof stats.calibrationTemperature === "number" ? { temperature: stats.calibrationTemperature, rows: stats.calibrationRows ?? 0 } : null,
    };
  }
  return {
    model: v.model.name,
    versionId: v.id,
    createdAt: v.createdAt.toISOString(),
    description: v.description,
    labels: v.labels,
    aliases: v.aliases.map((a) => a.alias),
    serving: v.model.servingVersionId === v.id,
    run,
    lineage,
  };
}
