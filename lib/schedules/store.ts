import { Prisma, type PrismaClient } from "../db/generated/client";
import { badRequest, notFound } from "../errors";
import { checkRunRequest } from "../runs/web/enqueue";
import type { FieldIssue } from "../errors";
import { nextTick } from "./cron";
import type { AutoPromoteRule, CreateSchedule, PatchSchedule, ScheduleView } from "./schema";

// Schedules for the API and the pages. A schedule's request is checked like POST /api/runs checks
// one (with the training defaults, by the schema of the model's kind, table and columns against
// the catalogue), its issues named "request.<field>"; nothing is written when there is any.

const include = { model: { select: { name: true } } } as const;
type Row = Prisma.ScheduleGetPayload<{ include: typeof include }>;

const iso = (d: Date | null) => d?.toISOString() ?? null;

async function toViews(db: PrismaClient, rows: Row[]): Promise<ScheduleView[]> {
  const runIds = rows.map((r) => r.lastRunId).filter((id): id is string => id !== null);
  const runs = new Map((await db.trainingRun.findMany({ where: { id: { in: runIds } }, select: { id: true, status: true, createdAt: true } })).map((r) => [r.id, r]));
  return rows.map((r) => {
    const run = r.lastRunId ? runs.get(r.lastRunId) : undefined;
    return {
      id: r.id,
      model: r.model.name,
      cron: r.cron,
      request: r.request as Record<string, unknown>,
      autoPromote: (r.autoPromote as AutoPromoteRule | null) ?? null,
      enabled: r.enabled,
      nextRunAt: r.enabled ? iso(r.nextRunAt) : null,
      lastRun: run ? { id: run.id, status: run.status, createdAt: run.createdAt.toISOString() } : null,
      lastSkippedAt: iso(r.lastSkippedAt),
      lastSkipReason: r.lastSkipReason,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    };
  });
}

/** Issues of a schedule's request for model `modelName`, named "request.<field>" (empty when it would queue). */
export async function requestIssues(db: PrismaClient, modelName: string, request: Record<string, unknown>): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = [];
  if ("model" in request && request.model !== modelName) issues.push({ path: "request.model", message: `must be left out (the schedule's model, "${modelName}", is used)` });
  const { model: _model, ...rest } = request;
  const checked = await checkRunRequest(db, { ...rest, model: modelName });
  if (!checked.ok) {
    for (const i of checked.issues) issues.push({ path: i.path === "model" ? "model" : i.path === "(body)" ? "request" : `request.${i.path}`, message: i.message });
  }
  return issues;
}

export async function listSchedules(db: PrismaClient, q: { model?: string } = {}): Promise<ScheduleView[]> {
  const rows = await db.schedule.findMany({ where: q.model ? { model: { name: q.model } } : {}, include, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  return toViews(db, rows);
}

export async function getSchedule(db: PrismaClient, id: string): Promise<ScheduleView> {
  const row = await db.schedule.findUnique({ where: { id }, include });
  if (!row) throw notFound(`No schedule has id "${id}"`);
  return (await toViews(db, [row]))[0]!;
}

export async function createSchedule(db: PrismaClient, s: CreateSchedule, userId: string | null): Promise<ScheduleView> {
  const model = await db.model.findUnique({ where: { name: s.model }, select: { id: true } });
  if (!model) throw badRequest([{ path: "model", message: `no model is named "${s.model}"` }]);
  const issues = await requestIssues(db, s.model, s.request);
  if (issues.length) throw badRequest(issues);
  const enabled = s.enabled ?? true;
  const { model: _m, ...request } = s.request;
  const row = await db.schedule.create({
    data: {
      modelId: model.id,
      cron: s.cron,
      request: request as object,
      autoPromote: s.autoPromote ?? Prisma.DbNull,
      enabled,
      nextRunAt: enabled ? nextTick(s.cron, new Date()) : null,
      createdById: userId,
    },
    include,
  });
  return (await toViews(db, [row]))[0]!;
}

/** Changes what the body names; a changed cron or a re-enabled schedule gets its next tick from now. */
export async function patchSchedule(db: PrismaClient, id: string, p: PatchSchedule): Promise<ScheduleView> {
  const row = await db.schedule.findUnique({ where: { id }, include });
  if (!row) throw notFound(`No schedule has id "${id}"`);
  if (p.request) {
    const issues = await requestIssues(db, row.model.name, p.request);
    if (issues.length) throw badRequest(issues);
  }
  const cron = p.cron ?? row.cron;
  const enabled = p.enabled ?? row.enabled;
  const retime = p.cron !== undefined || p.enabled !== undefined;
  const { model: _m, ...request } = p.request ?? {};
  const updated = await db.schedule.update({
    where: { id },
    data: {
      cron,
      enabled,
      ...(p.request ? { request: request as object } : {}),
      ...(p.autoPromote !== undefined ? { autoPromote: p.autoPromote ?? Prisma.DbNull } : {}),
      ...(retime ? { nextRunAt: enabled ? nextTick(cron, new Date()) : null } : {}),
    },
    include,
  });
  return (await toViews(db, [updated]))[0]!;
}

export async function deleteSchedule(db: PrismaClient, id: string): Promise<void> {
  const r = await db.schedule.deleteMany({ where: { id } });
  if (r.count === 0) throw notFound(`No schedule has id "${id}"`);
}
