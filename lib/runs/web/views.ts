import type { PrismaClient } from "../../db/generated/client";
import type { LossPoint, Metrics } from "../../training/types";
import type { RunComparison, RunLogLine, RunSplit, RunStats, RunStatus, RunSummary, RunTrigger, RunView } from "../types";

// Database rows → the runs API's JSON (lib/runs/types.ts).

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export async function getRunView(db: PrismaClient, id: string): Promise<RunView | null> {
  const r = await db.trainingRun.findUnique({ where: { id }, include: { model: { select: { name: true, servingVersionId: true } } } });
  if (!r) return null;
  return {
    id: r.id,
    model: r.model.name,
    status: r.status as RunStatus,
    phase: r.phase,
    progress: r.progress,
    step: r.step,
    totalSteps: r.totalSteps,
    etaSeconds: r.etaSeconds,
    rowsPerSecond: r.rowsPerSecond,
    error: r.error,
    request: r.request as Record<string, unknown>,
    candidateVersionId: r.candidateVersionId,
    candidateServing: r.candidateVersionId !== null && r.candidateVersionId === r.model.servingVersionId,
    stats: r.stats as RunStats | null,
    metrics: { old: r.metricsOld as Metrics | null, new: r.metricsNew as Metrics | null },
    split: r.split as RunSplit | null,
    comparison: r.comparison as RunComparison | null,
    lossCurve: r.lossCurve as unknown as LossPoint[],
    timings: r.timings as Record<string, number> | null,
    workerId: r.workerId,
    createdAt: r.createdAt.toISOString(),
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
    cancelRequested: r.cancelRequested,
    trigger: r.trigger as RunTrigger,
    scheduleId: r.scheduleId,
    sweepId: r.sweepId,
  };
}

export async function listRuns(
  db: PrismaClient,
  q: { status?: RunStatus; limit: number; offset: number },
): Promise<{ runs: RunSummary[]; total: number }> {
  const where = q.status ? { status: q.status } : {};
  const [rows, total] = await Promise.all([
    db.trainingRun.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: q.limit,
      skip: q.offset,
      select: {
        id: true, status: true, phase: true, progress: true, request: true, createdAt: true, startedAt: true,
        finishedAt: true, metricsOld: true, metricsNew: true, model: { select: { name: true } },
      },
    }),
    db.trainingRun.count({ where }),
  ]);
  return {
    total,
    runs: rows.map((r) => ({
      id: r.id,
      model: r.model.name,
      status: r.status as RunStatus,
      phase: r.phase,
      progress: r.progress,
      table: String((r.request as { table?: unknown }).table ?? ""),
      createdAt: r.createdAt.toISOString(),
      startedAt: iso(r.startedAt),
      finishedAt: iso(r.finishedAt),
      accuracyOld: (r.metricsOld as Metrics | null)?.accuracy ?? null,
      accuracyNew: (r.metricsNew as Metrics | null)?.accuracy ?? null,
    })),
  };
}

export async function runLogsAfter(db: PrismaClient, runId: string, afterSeq: number, limit = 1000): Promise<RunLogLine[]> {
  const rows = await db.runLog.findMany({ where: { runId, seq: { gt: afterSeq } }, orderBy: { seq: "asc" }, take: limit });
  return rows.map((l) => ({ seq: l.seq, level: l.level as RunLogLine["level"], message: l.message, createdAt: l.createdAt.toISOString() }));
}
