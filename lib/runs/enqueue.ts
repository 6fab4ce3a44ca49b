import type { PrismaClient } from "../db/generated/client";
import { parseRunRequest } from "../validations/run-request";
import { notifyRunQueued } from "./queue";
import { checkSource, resolveRequest } from "./resolve-request";

export type EnqueueResult = { ok: true; id: string } | { ok: false; issues: { path: string; message: string }[] };

/**
 * Validates a TrainRequest (its shape, then model/table/columns against the database) and queues
 * it. Every problem is reported at once; nothing is written when there is any.
 */
export async function enqueueRun(db: PrismaClient, rawBody: unknown, userId: string | null): Promise<EnqueueResult> {
  const body = await withTrainingDefaults(db, rawBody);
  const parsed = parseRunRequest(body);
  if (!parsed.ok) {
    // Still tell about an unknown table or column when the rest of the body is wrong.
    const b = (typeof body === "object" && body !== null ? body : {}) as { table?: unknown; columns?: unknown };
    const reported = new Set(parsed.issues.map((i) => i.path));
    if (typeof b.table === "string" && b.table && !reported.has("table")) {
      const parts = typeof b.columns === "string" ? b.columns.split(",").map((s) => s.trim()) : [];
      const cols = parts.length === 2 && parts.every(Boolean) && !reported.has("columns") ? { label: parts[0], text: parts[1] } : null;
      parsed.issues.push(...(await checkSource(db, b.table, cols)).issues);
    }
    return parsed;
  }
  const resolved = await resolveRequest(db, parsed.request);
  if (!resolved.ok) return resolved;
  const run = await db.trainingRun.create({
    data: { modelId: resolved.resolved.model.id, request: body as object, createdById: userId },
    select: { id: true },
  });
  await notifyRunQueued(db);
  return { ok: true, id: run.id };
}

/** The admins' default training arguments (Setting "training_defaults") fill what a request leaves out. */
async function withTrainingDefaults(db: PrismaClient, body: unknown): Promise<unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return body;
  const row = await db.setting.findUnique({ where: { key: "training_defaults" } });
  const defaults = row?.value;
  if (!defaults || typeof defaults !== "object" || Array.isArray(defaults)) return body;
  return { ...(defaults as object), ...body };
}
