import type { PrismaClient } from "../../db/generated/client";
import { notFound } from "../../errors";
import { textsByKey } from "../texts-by-key";
import type { ParsedRun } from "../../validations/run-request";
import { resolveSource } from "../resolve-request";
import { testRowsOf, type ErrorQuery } from "../test-rows";

// GET /api/runs/:id/errors: the candidate's mistakes (or one confusion-matrix cell) on the run's
// scored test rows, with each row's text read back from the user's table by its key.

export interface ErrorRow {
  key: string;
  label: string;
  predicted: string;
  /** the candidate's probability for each of its labels */
  scores: Record<string, number>;
  /** null when the row is no longer in the table */
  text: string | null;
}

export interface ErrorsView {
  total: number;
  rows: ErrorRow[];
  /** set when the texts could not be read (the table or its columns are gone) */
  textsUnavailable?: string;
}

export async function runErrors(db: PrismaClient, runId: string, q: ErrorQuery): Promise<ErrorsView> {
  const run = await db.trainingRun.findUnique({ where: { id: runId }, select: { parsedRequest: true, candidateVersion: { select: { labels: true } } } });
  if (!run) throw notFound(`No run has id "${runId}"`);
  if (!run.candidateVersion) return { total: 0, rows: [] };
  const labels = run.candidateVersion.labels;
  const { total, rows } = await testRowsOf(db, runId, q);
  const parsed = run.parsedRequest as ParsedRun | null;
  const source = parsed ? await resolveSource(db, parsed.request) : null;
  const texts = source?.ok ? await textsByKey(db, source.source, rows.map((r) => r.key)) : new Map<string, string>();
  return {
    total,
    rows: rows.map((r) => ({
      key: r.key,
      label: r.label,
      predicted: r.predicted,
      scores: Object.fromEntries(labels.map((l, j) => [l, r.scores[j] ?? 0])),
      text: texts.get(r.key) ?? null,
    })),
    ...(source && !source.ok ? { textsUnavailable: source.issues.map((i) => `${i.path}: ${i.message}`).join("; ") } : {}),
  };
}
