import type { PrismaClient } from "../db/generated/client";
import { listRuns } from "../runs/web/views";
import type { Metrics } from "../training/types";
import type { OverviewModel, OverviewResponse } from "./types";
import { listWorkers } from "./workers";

const LATEST_RUNS = 8;

/** Everything the Overview page shows, in one round trip. */
export async function getOverview(db: PrismaClient, now = new Date()): Promise<OverviewResponse> {
  const [models, latest, queued, running, workers] = await Promise.all([
    db.model.findMany({
      orderBy: [{ isDefault: "desc" }, { name: "asc" }],
      include: {
        servingVersion: { select: { id: true, createdAt: true, labels: true, metrics: true, run: { select: { id: true } } } },
        _count: { select: { versions: true } },
      },
    }),
    listRuns(db, { limit: LATEST_RUNS, offset: 0 }),
    db.trainingRun.count({ where: { status: "queued" } }),
    db.trainingRun.count({ where: { status: "running" } }),
    listWorkers(db, now),
  ]);
  const promoterIds = models.map((m) => m.promotedById).filter((x): x is string => !!x);
  const promoters = promoterIds.length
    ? await db.user.findMany({ where: { id: { in: promoterIds } }, select: { id: true, email: true } })
    : [];
  return {
    now: now.toISOString(),
    models: models.map((m): OverviewModel => {
      const v = m.servingVersion;
      const metrics = (v?.metrics ?? null) as Metrics | null;
      return {
        name: m.name,
        kind: m.kind,
        isDefault: m.isDefault,
        versionCount: m._count.versions,
        serving: v
          ? {
              versionId: v.id,
              createdAt: v.createdAt.toISOString(),
              runId: v.run?.id ?? null,
              labels: v.labels,
              accuracy: metrics?.accuracy ?? null,
              f1: metrics?.f1 ?? null,
              macroF1: metrics?.macro_f1 ?? null,
              samples: metrics?.samples ?? null,
            }
          : null,
        promotedAt: m.promotedAt?.toISOString() ?? null,
        promotedBy: promoters.find((u) => u.id === m.promotedById)?.email ?? null,
      };
    }),
    latestRuns: latest.runs,
    runCounts: { queued, running, total: latest.total },
    workers,
  };
}
