import type { Prisma, PrismaClient } from "../db/generated/client";
import type { LabelledRow } from "./fetch-rows";

// The candidate's prediction for each scored test row (RunTestRow), written in the run's save
// transaction, and read back per confusion-matrix cell for GET /api/runs/:id/errors.

/** Writes one RunTestRow per test row in one statement (arrays unnested server-side). */
export async function saveTestRows(tx: Prisma.TransactionClient, runId: string, rows: LabelledRow[], probs: Float32Array[], labels: string[]): Promise<void> {
  if (rows.length !== probs.length) throw new Error(`saveTestRows: ${rows.length} rows but ${probs.length} predictions`);
  if (rows.length === 0) return;
  const predicted = probs.map((p) => {
    let best = 0;
    for (let j = 1; j < p.length; j++) if (p[j] > p[best]) best = j;
    return labels[best];
  });
  await tx.$executeRawUnsafe(
    `INSERT INTO "RunTestRow" ("runId", idx, key, label, predicted, scores)
     SELECT $1, t.ord::int - 1, t.key, t.label, t.predicted, t.scores::real[]
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS t(key, label, predicted, scores, ord)`,
    runId,
    rows.map((r) => r.key),
    rows.map((r) => r.label),
    predicted,
    probs.map((p) => `{${Array.from(p, (x) => (Number.isFinite(x) ? x : 0)).join(",")}}`),
  );
}

export interface ErrorQuery {
  /** the rows' true label */
  true?: string;
  /** the label predicted; with `true` equal to it, a diagonal cell (correct predictions) */
  predicted?: string;
  limit: number;
  offset: number;
}

/** The rows of a cell (or all mistakes, or all of one true or predicted label's mistakes), in test-row order. */
export async function testRowsOf(db: PrismaClient, runId: string, q: ErrorQuery) {
  const cell = q.true !== undefined && q.predicted !== undefined;
  const where: Prisma.RunTestRowWhereInput = {
    runId,
    ...(q.true !== undefined ? { label: q.true } : {}),
    ...(q.predicted !== undefined ? { predicted: q.predicted } : {}),
  };
  const [total, rows] = await Promise.all([
    cell ? db.runTestRow.count({ where }) : db.$queryRawUnsafe<{ n: bigint }[]>(countMistakes(q), runId, ...filters(q)).then((r) => Number(r[0].n)),
    cell
      ? db.runTestRow.findMany({ where, orderBy: { idx: "asc" }, take: q.limit, skip: q.offset })
      : db.$queryRawUnsafe<{ idx: number; key: string; label: string; predicted: string; scores: number[] }[]>(
          `SELECT idx, key, label, predicted, scores FROM "RunTestRow" WHERE ${mistakesWhere(q)} ORDER BY idx LIMIT ${q.limit} OFFSET ${q.offset}`,
          runId,
          ...filters(q),
        ),
  ]);
  return { total, rows };
}

const filters = (q: ErrorQuery) => [q.true, q.predicted].filter((v): v is string => v !== undefined);
function mistakesWhere(q: ErrorQuery): string {
  const parts = [`"runId" = $1`, "label <> predicted"];
  if (q.true !== undefined) parts.push(`label = $${parts.length}`);
  if (q.predicted !== undefined) parts.push(`predicted = $${parts.length}`);
  return parts.join(" AND ");
}
const countMistakes = (q: ErrorQuery) => `SELECT count(*) AS n FROM "RunTestRow" WHERE ${mistakesWhere(q)}`;
