import type { Prisma, PrismaClient } from "../db/generated/client";
import { badRequest, conflict, notFound, type FieldIssue } from "../errors";
import { notifyRunQueued, requestCancel } from "../runs/queue";
import type { RunStatus } from "../runs/types";
import { checkRunRequest, insertQueuedRun, type CheckedRun, type RunOrigin } from "../runs/web/enqueue";
import type { Metrics } from "../training/types";
import { gridPoints, gridSize, randomPoints, type SweepPoint } from "./points";
import { rankRuns } from "./rank";
import {
  DEFAULT_RANK_METRIC,
  MAX_SWEEP_POINTS,
  parseRandomSpec,
  sweptNames,
  type CreateSweep,
  type RankMetric,
  type SweepRunView,
  type SweepSpec,
  type SweepView,
} from "./spec";

// Sweeps for the API and the pages. Everything is checked before anything is written: the request
// as POST /api/runs checks it (issues named "request.<field>"), the spec, the number of points
// (at most MAX_SWEEP_POINTS), and each point's request (a refused value named by its place in the
// spec, "grid.learning_rate[2]", and its point). Then the sweep and all its runs are inserted in
// one transaction, with one NOTIFY that wakes the workers when it commits.

const requestPath = (path: string) => (path === "(body)" ? "request" : `request.${path}`);

/** The points of a checked spec, or the issues of the spec (names, sizes, the cap). */
function pointsOf(body: CreateSweep): { ok: true; spec: SweepSpec; points: SweepPoint[] } | { ok: false; issues: FieldIssue[] } {
  if (body.grid) {
    const names = Object.keys(body.grid);
    if (names.length === 0) return { ok: false, issues: [{ path: "grid", message: "must name at least one training argument" }] };
    if (names.includes("model")) return { ok: false, issues: [{ path: "grid.model", message: "cannot be swept: a sweep trains one model (set request.model)" }] };
    const size = gridSize(body.grid);
    if (size > MAX_SWEEP_POINTS) {
      const factors = Object.values(body.grid).map((v) => v.length).join(" × ");
      return { ok: false, issues: [{ path: "grid", message: `makes ${size} points (${factors}); a sweep queues at most ${MAX_SWEEP_POINTS} runs: use fewer values` }] };
    }
    return { ok: true, spec: { grid: body.grid }, points: gridPoints(body.grid) };
  }
  const random = parseRandomSpec(body.random);
  if (!random.ok) return random;
  if ("model" in random.spec.args) return { ok: false, issues: [{ path: "random.model", message: "cannot be swept: a sweep trains one model (set request.model)" }] };
  const { trials, seed, args } = random.spec;
  return { ok: true, spec: { random: { ...args, trials, seed } }, points: randomPoints(random.spec) };
}

/** Each point's request checked; a refused value named by its place in the spec and its point (each place once). */
async function checkPoints(db: PrismaClient, request: Record<string, unknown>, points: SweepPoint[]): Promise<{ ok: true; runs: CheckedRun[] } | { ok: false; issues: FieldIssue[] }> {
  const runs: CheckedRun[] = [];
  const issues = new Map<string, FieldIssue>();
  for (const p of points) {
    const checked = await checkRunRequest(db, { ...request, ...p.args });
    if (checked.ok) {
      runs.push(checked);
      continue;
    }
    for (const i of checked.issues) {
      const [top, ...rest] = i.path.split(".");
      const place = p.source[top!];
      const path = place ? [place, ...rest].join(".") : requestPath(i.path);
      if (!issues.has(path)) issues.set(path, { path, message: `is refused at ${p.label}: ${i.message}` });
    }
  }
  return issues.size ? { ok: false, issues: [...issues.values()] } : { ok: true, runs };
}

/** Checks everything, then inserts the sweep and one queued run per point in one transaction; 400 naming each problem, nothing written. */
export async function createSweep(db: PrismaClient, body: CreateSweep, origin: Omit<RunOrigin, "sweepId" | "scheduleId">): Promise<SweepView> {
  const base = await checkRunRequest(db, body.request);
  if (!base.ok) throw badRequest(base.issues.map((i) => ({ ...i, path: requestPath(i.path) })));
  const planned = pointsOf(body);
  if (!planned.ok) throw badRequest(planned.issues);
  const checked = await checkPoints(db, body.request, planned.points);
  if (!checked.ok) throw badRequest(checked.issues);
  const id = await db.$transaction(
    async (tx) => {
      const sweep = await tx.sweep.create({
        data: { modelId: base.modelId, request: base.request as object, spec: planned.spec as object, createdById: origin.userId },
        select: { id: true },
      });
      for (const run of checked.runs) await insertQueuedRun(tx, run, { ...origin, sweepId: sweep.id });
      await notifyRunQueued(tx); // delivered when the transaction commits
      return sweep.id;
    },
    { timeout: 30_000 },
  );
  return getSweep(db, id);
}

const runSelect = {
  id: true, status: true, phase: true, progress: true, request: true, metricsNew: true, candidateVersionId: true,
  error: true, createdAt: true, finishedAt: true, sweepId: true,
} as const;
type RunRow = Prisma.TrainingRunGetPayload<{ select: typeof runSelect }>;

const sweepInclude = { model: { select: { name: true, servingVersionId: true } } } as const;
type SweepRow = Prisma.SweepGetPayload<{ include: typeof sweepInclude }>;

function toView(s: SweepRow, runs: RunRow[], metric: RankMetric, createdBy: string | null, withRuns: boolean): SweepView {
  const spec = s.spec as SweepSpec;
  const names = sweptNames(spec);
  const ranked = rankRuns(runs.map((r) => ({ ...r, metricsNew: r.metricsNew as Metrics | null })), metric);
  const counts: SweepView["counts"] = {};
  for (const r of runs) counts[r.status as RunStatus] = (counts[r.status as RunStatus] ?? 0) + 1;
  const top = ranked[0];
  const view: SweepView = {
    id: s.id,
    model: s.model.name,
    request: s.request as Record<string, unknown>,
    spec,
    createdAt: s.createdAt.toISOString(),
    createdBy,
    metric,
    counts,
    total: runs.length,
    best: top && top.score !== null ? { runId: top.id, score: top.score } : null,
  };
  if (!withRuns) return view;
  view.runs = ranked.map((r): SweepRunView => {
    const request = r.request as Record<string, unknown>;
    return {
      id: r.id,
      rank: r.rank,
      status: r.status as RunStatus,
      phase: r.phase,
      progress: r.progress,
      point: Object.fromEntries(names.map((n) => [n, request[n] ?? null])),
      score: r.score,
      accuracy: r.metricsNew?.accuracy ?? null,
      macroF1: r.metricsNew?.macro_f1 ?? null,
      candidateVersionId: r.candidateVersionId,
      candidateServing: r.candidateVersionId !== null && r.candidateVersionId === s.model.servingVersionId,
      error: r.error,
      createdAt: r.createdAt.toISOString(),
      finishedAt: r.finishedAt?.toISOString() ?? null,
    };
  });
  return view;
}

async function views(db: PrismaClient, sweeps: SweepRow[], metric: RankMetric, withRuns: boolean): Promise<SweepView[]> {
  const ids = sweeps.map((s) => s.id);
  const [runs, users] = await Promise.all([
    db.trainingRun.findMany({ where: { sweepId: { in: ids } }, select: runSelect }),
    db.user.findMany({ where: { id: { in: sweeps.map((s) => s.createdById).filter((u): u is string => u !== null) } }, select: { id: true, email: true } }),
  ]);
  const email = new Map(users.map((u) => [u.id, u.email]));
  return sweeps.map((s) => toView(s, runs.filter((r) => r.sweepId === s.id), metric, s.createdById ? (email.get(s.createdById) ?? null) : null, withRuns));
}

/** The newest sweeps first, each with its run counts and best run. */
export async function listSweeps(db: PrismaClient, q: { limit: number; metric?: RankMetric }): Promise<SweepView[]> {
  const rows = await db.sweep.findMany({ include: sweepInclude, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: q.limit });
  return views(db, rows, q.metric ?? DEFAULT_RANK_METRIC, false);
}

/** One sweep with its runs ranked by `metric`. */
export async function getSweep(db: PrismaClient, id: string, metric: RankMetric = DEFAULT_RANK_METRIC): Promise<SweepView> {
  const row = await db.sweep.findUnique({ where: { id }, include: sweepInclude });
  if (!row) throw notFound(`No sweep has id "${id}"`);
  return (await views(db, [row], metric, true))[0]!;
}

/** Cancels the sweep's queued and running runs (as POST /api/runs/:id/cancel does each); 409 when none is. */
export async function cancelSweep(db: PrismaClient, id: string): Promise<{ id: string; cancelled: string[] }> {
  const sweep = await db.sweep.findUnique({ where: { id }, select: { id: true } });
  if (!sweep) throw notFound(`No sweep has id "${id}"`);
  const active = await db.trainingRun.findMany({ where: { sweepId: id, status: { in: ["queued", "running"] } }, select: { id: true }, orderBy: { createdAt: "asc" } });
  const cancelled: string[] = [];
  for (const r of active) if (await requestCancel(db, r.id)) cancelled.push(r.id);
  if (cancelled.length === 0) throw conflict(`Sweep ${id} has no queued or running run`);
  return { id, cancelled };
}
