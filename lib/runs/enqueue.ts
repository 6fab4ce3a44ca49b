import type { PrismaClient } from "../db/generated/client";
import { parseRunRequest } from "../validations/run-request";
import { notifyRunQueued } from "./queue";
import { resolveRequest } from "./resolve-request";

export type EnqueueResult = { ok: true; id: string } | { ok: false; issues: { path: string; message: string }[] };

/** Validates a TrainRequest (shape, then table/columns/model against the database) and queues it; nothing is written when it is invalid. */
export async function enqueueRun(db: PrismaClient, body: unknown, userId: string | null): Promise<EnqueueResult> {
  const parsed = parseRunRequest(body);
  if (!parsed.ok) return parsed;
  const resolved = await resolveRequest(db, parsed.request);
  if (!resolved.ok) return resolved;
  const run = await db.trainingRun.create({
    data: { modelId: resolved.resolved.model.id, request: body as object, createdById: userId },
    select: { id: true },
  });
  await notifyRunQueued(db);
  return { ok: true, id: run.id };
}
