import { db } from "@/lib/db/client";
import { json, route } from "@/lib/http";
import type { Metrics } from "@/lib/training/types";
import { requireCaller } from "@/lib/session";

export const dynamic = "force-dynamic";

export const GET = route(async (req) => {
  await requireCaller(req);
  const models = await db().model.findMany({
    orderBy: { name: "asc" },
    include: { versions: { orderBy: { createdAt: "desc" }, include: { run: { select: { id: true } } } } },
  });
  return json({
    models: models.map((m) => ({
      name: m.name,
      kind: m.kind,
      isDefault: m.isDefault,
      servingVersionId: m.servingVersionId,
      promotedAt: m.promotedAt?.toISOString() ?? null,
      versions: m.versions.map((v) => ({
        id: v.id,
        createdAt: v.createdAt.toISOString(),
        runId: v.run?.id ?? null,
        labels: v.labels,
        accuracy: (v.metrics as Metrics | null)?.accuracy ?? null,
        f1: (v.metrics as Metrics | null)?.f1 ?? null,
        serving: v.id === m.servingVersionId,
      })),
    })),
  });
});
