import type { Prisma, PrismaClient } from "../../db/generated/client";
import { getTrainingDefaults, withDefaults } from "../../settings-training";
import { parseRunRequest, type Issue } from "../../validations/run-request";
import { notifyRunQueued } from "../queue";
import { checkSource, findRunModel } from "../resolve-request";
import type { RunTrigger } from "../types";
import { runMetaData, splitRunMeta } from "./meta";
import type { RunMetaPatch } from "../../validations/run-meta";

export type EnqueueResult = { ok: true; id: string } | { ok: false; issues: Issue[] };

/** A request that passed every check: what a new TrainingRun row stores. */
export interface CheckedRun {
  modelId: string;
  /** as sent, with the training defaults filled in */
  request: Record<string, unknown>;
  /** parsed by its model kind's schema ({kind, request}) */
  parsedRequest: object;
}

/** Who or what queues a run: the pages ("manual"), a bearer token ("api"), or a schedule; and the sweep it belongs to. */
export interface RunOrigin {
  userId: string | null;
  trigger?: RunTrigger;
  scheduleId?: string | null;
  /** name, notes and tags given with the request */
  meta?: RunMetaPatch;
  /** the sweep that queues it with one of its points */
  sweepId?: string | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Validates a TrainRequest: the admins' training defaults fill what it leaves out; the model it
 * names (or the default one) picks the schema of its kind, which parses the whole request once;
 * table and columns are checked against the database. Every problem is reported at once.
 */
export async function checkRunRequest(db: PrismaClient, rawBody: unknown): Promise<({ ok: true } & CheckedRun) | { ok: false; issues: Issue[] }> {
  const body = isObject(rawBody) ? withDefaults(rawBody, (await getTrainingDefaults(db)).defaults) : rawBody;
  const named = isObject(body) && typeof body.model === "string" && body.model ? body.model : undefined;
  const found = isObject(body) && (named !== undefined || body.model === undefined) ? await findRunModel(db, named) : null;
  const parsed = parseRunRequest(body, found?.ok ? found.model.kind : null);
  const issues = parsed.ok ? [] : [...parsed.issues];
  if (found && !found.ok) issues.push(found.issue);
  if (isObject(body)) issues.push(...(await sourceIssues(db, body, new Set(issues.map((i) => i.path)))));
  if (issues.length > 0 || !parsed.ok || !found?.ok) return { ok: false, issues };
  const { ok: _ok, ...parsedRun } = parsed;
  return { ok: true, modelId: found.model.id, request: body as Record<string, unknown>, parsedRequest: parsedRun };
}

/** Inserts a checked run as queued (in the caller's transaction when given one); returns its id. */
export async function insertQueuedRun(db: Prisma.TransactionClient, run: CheckedRun, origin: RunOrigin): Promise<string> {
  const row = await db.trainingRun.create({
    data: {
      modelId: run.modelId,
      request: run.request as object,
      parsedRequest: run.parsedRequest,
      createdById: origin.userId,
      trigger: origin.trigger ?? "manual",
      scheduleId: origin.scheduleId ?? null,
      ...runMetaData(origin.meta ?? {}),
      sweepId: origin.sweepId ?? null,
    },
    select: { id: true },
  });
  return row.id;
}

/**
 * Validates a TrainRequest (checkRunRequest) and queues it; nothing is written when there is any
 * problem. The run stores the request as sent (with defaults) for display, and the parsed
 * request, which is all the worker reads. Optional name, notes and tags are taken out of the
 * body first and stored in the run's own columns.
 */
export async function enqueueRun(db: PrismaClient, rawBody: unknown, userId: string | null, origin: Omit<RunOrigin, "userId" | "meta"> = {}): Promise<EnqueueResult> {
  const { request, meta, issues } = splitRunMeta(rawBody);
  const checked = await checkRunRequest(db, request);
  if (!checked.ok || issues.length > 0) return { ok: false, issues: [...(checked.ok ? [] : checked.issues), ...issues] };
  const id = await insertQueuedRun(db, checked, { userId, ...origin, meta });
  await notifyRunQueued(db);
  return { ok: true, id };
}

/** Table and columns against the catalogue, whenever they are usable (even when other fields are wrong). */
async function sourceIssues(db: PrismaClient, body: Record<string, unknown>, reported: Set<string>): Promise<Issue[]> {
  if (typeof body.table !== "string" || !body.table || reported.has("table")) return [];
  const parts = typeof body.columns === "string" ? body.columns.split(",").map((s) => s.trim()) : [];
  const columns = parts.length === 2 && parts.every(Boolean) && !reported.has("columns") ? { label: parts[0], text: parts[1] } : null;
  return (await checkSource(db, body.table, columns)).issues;
}
