import { Prisma, type PrismaClient } from "../../db/generated/client";
import type { RunListQuery, RunSortKey } from "../../validations/run-list-query";
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
    stopRequested: r.stopRequested,
    trigger: r.trigger as RunTrigger,
    scheduleId: r.scheduleId,
    name: r.name,
    notes: r.notes,
    tags: r.tags ?? [],
    sweepId: r.sweepId,
  };
}

/** The list's filters and sort: the API's query (lib/validations/run-list-query.ts), every part optional but the page. */
export type RunListOptions = Partial<Omit<RunListQuery, "limit" | "offset">> & Pick<RunListQuery, "limit" | "offset">;

/**
 * A page of runs, filtered and sorted in SQL: one query finds the page's ids (searching name,
 * notes, table and id with ILIKE, sorting by a column or by a number read from the request or the
 * new version's metrics with jsonb operators, runs without it last), another counts the matches,
 * and Prisma loads the page's rows.
 */
export async function listRuns(db: PrismaClient, q: RunListOptions): Promise<{ runs: RunSummary[]; total: number }> {
  const where = runListWhere(q);
  const sort = q.sort ?? { key: "createdAt", descending: true };
  const order = Prisma.raw(`${SORT_SQL[sort.key]} ${sort.descending ? "DESC" : "ASC"} NULLS LAST, r."createdAt" DESC, r."id" DESC`);
  const from = Prisma.sql`FROM "TrainingRun" r JOIN "Model" m ON m."id" = r."modelId" WHERE ${where}`;
  const [page, [{ total }]] = await Promise.all([
    db.$queryRaw<{ id: string }[]>`SELECT r."id" ${from} ORDER BY ${order} LIMIT ${q.limit} OFFSET ${q.offset}`,
    db.$queryRaw<{ total: number }[]>`SELECT COUNT(*)::int AS total ${from}`,
  ]);
  const rows = await db.trainingRun.findMany({
    where: { id: { in: page.map((r) => r.id) } },
    select: {
      id: true, name: true, tags: true, trigger: true, status: true, phase: true, progress: true, request: true, createdAt: true,
      startedAt: true, finishedAt: true, metricsOld: true, metricsNew: true, model: { select: { name: true } },
    },
  });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return {
    total,
    runs: page.flatMap(({ id }) => {
      const r = byId.get(id);
      if (!r) return []; // deleted between the two queries
      const request = r.request as Record<string, unknown>;
      const metricsNew = r.metricsNew as Metrics | null;
      return [{
        id: r.id,
        name: r.name,
        tags: r.tags ?? [],
        trigger: r.trigger as RunTrigger,
        model: r.model.name,
        status: r.status as RunStatus,
        phase: r.phase,
        progress: r.progress,
        table: String(request.table ?? ""),
        createdAt: r.createdAt.toISOString(),
        startedAt: iso(r.startedAt),
        finishedAt: iso(r.finishedAt),
        accuracyOld: (r.metricsOld as Metrics | null)?.accuracy ?? null,
        accuracyNew: metricsNew?.accuracy ?? null,
        macroF1New: metricsNew?.macro_f1 ?? null,
        epochs: numberOrNull(request.num_train_epochs),
        learningRate: numberOrNull(request.learning_rate),
        batchSize: numberOrNull(request.per_device_train_batch_size),
      }];
    }),
  };
}

const numberOrNull = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** A number in a JSON column, or NULL when it is missing or not a number (so a sort never fails on a cast). */
const jsonNumber = (column: string, key: string) =>
  `(CASE WHEN jsonb_typeof(r."${column}"->'${key}') = 'number' THEN (r."${column}"->>'${key}')::float8 END)`;

/** Each sort key's SQL expression: fixed text, never built from the query. */
const SORT_SQL: Record<RunSortKey, string> = {
  name: `lower(r."name")`,
  status: `r."status"::text`,
  model: `m."name"`,
  table: `r."request"->>'table'`,
  createdAt: `r."createdAt"`,
  accuracy: jsonNumber("metricsNew", "accuracy"),
  macroF1: jsonNumber("metricsNew", "macro_f1"),
  epochs: jsonNumber("request", "num_train_epochs"),
  learningRate: jsonNumber("request", "learning_rate"),
};

/** ILIKE's pattern for a substring: its wildcards and escape character taken literally. */
const containing = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function runListWhere(q: RunListOptions): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (q.q) {
    const p = containing(q.q);
    parts.push(Prisma.sql`(r."name" ILIKE ${p} OR r."notes" ILIKE ${p} OR r."request"->>'table' ILIKE ${p} OR r."id" ILIKE ${p})`);
  }
  if (q.model) parts.push(Prisma.sql`m."name" = ${q.model}`);
  if (q.table) parts.push(Prisma.sql`r."request"->>'table' = ${q.table}`);
  if (q.status) parts.push(Prisma.sql`r."status"::text = ${q.status}`);
  if (q.tag) parts.push(Prisma.sql`r."tags" @> ARRAY[${q.tag}]::text[]`);
  return parts.length ? Prisma.join(parts, " AND ") : Prisma.sql`TRUE`;
}

export async function runLogsAfter(db: PrismaClient, runId: string, afterSeq: number, limit = 1000): Promise<RunLogLine[]> {
  const rows = await db.runLog.findMany({ where: { runId, seq: { gt: afterSeq } }, orderBy: { seq: "asc" }, take: limit });
  return rows.map((l) => ({ seq: l.seq, level: l.level as RunLogLine["level"], message: l.message, createdAt: l.createdAt.toISOString() }));
}
