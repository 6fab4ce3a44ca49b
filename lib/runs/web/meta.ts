import { z } from "zod";
import type { PrismaClient } from "../../db/generated/client";
import { badRequest, notFound } from "../../errors";
import { toFieldIssues } from "../../validations/field-issues";
import { RUN_META_FIELDS, runMetaShape, runMetaPatchSchema, type RunMetaPatch } from "../../validations/run-meta";
import type { Issue } from "../../validations/run-request";

// A run's name, notes and tags: what PATCH /api/runs/:id edits, and what a queued run may carry.

/** The stored columns of a checked patch: only the fields it names. */
export function runMetaData(meta: RunMetaPatch): { name?: string | null; notes?: string | null; tags?: string[] } {
  return Object.fromEntries(Object.entries(meta).filter(([, v]) => v !== undefined));
}

/**
 * Edits a run's name, notes and tags: 404 for an unknown run, 400 naming each bad or unknown
 * field (nothing changed). Returns nothing: the caller reads the run back.
 */
export async function updateRunMeta(db: PrismaClient, id: string, body: unknown): Promise<void> {
  const found = await db.trainingRun.findUnique({ where: { id }, select: { id: true } });
  if (!found) throw notFound(`No run has id "${id}"`);
  const parsed = runMetaPatchSchema.safeParse(body);
  if (!parsed.success) throw badRequest(toFieldIssues(parsed.error));
  await db.trainingRun.update({ where: { id }, data: runMetaData(parsed.data) });
}

const metaOnly = z.object(runMetaShape);

/**
 * A queue request's name, notes and tags, taken out of it: the rest is the TrainRequest, checked
 * as before. Bad meta fields come back as issues naming them.
 */
export function splitRunMeta(body: unknown): { request: unknown; meta: RunMetaPatch; issues: Issue[] } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { request: body, meta: {}, issues: [] };
  const source = body as Record<string, unknown>;
  const request = Object.fromEntries(Object.entries(source).filter(([k]) => !(RUN_META_FIELDS as readonly string[]).includes(k)));
  const parsed = metaOnly.safeParse(Object.fromEntries(RUN_META_FIELDS.filter((k) => k in source).map((k) => [k, source[k]])));
  return parsed.success ? { request, meta: parsed.data, issues: [] } : { request, meta: {}, issues: toFieldIssues(parsed.error) };
}
