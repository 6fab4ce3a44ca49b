import type { Prisma, PrismaClient } from "../db/generated/client";
import type { ProbabilityRows } from "../training/probability-rows";
import { bulkExecute } from "../db/bulk-statement";
import type { RowSet } from "./row-table";

// The candidate's prediction for each scored test row (RunTestRow), written in the run's save
// transaction, and read back per confusion-matrix cell for GET /api/runs/:id/errors.

/** Test rows written per statement: a big table's 1,400,000 test rows are not one statement's arrays held at once. */
export const TEST_ROWS_PER_INSERT = 20_000;

/** Writes one RunTestRow per test row, TEST_ROWS_PER_INSERT at a time (arrays unnested server-side), in the caller's transaction. */
export async function saveTestRows(tx: Prisma.TransactionClient, runId: string, rows: RowSet, probs: ProbabilityRows, labels: string[]): Promise<void> {
  if (rows.length !== probs.length) throw new Error(`saveTestRows: ${rows.length} rows but ${probs.length} predictions`);
  for (let from = 0; from < rows.length; from += TEST_ROWS_PER_INSERT) {
    const to = Math.min(rows.length, from + TEST_ROWS_PER_INSERT);
    const part = probs.slice(from, to);
    const these = rows.slice(from, to);
    await bulkExecute(
      tx,
      `INSERT INTO "RunTestRow" ("runId", idx, key, label, predicted, scores)
       SELECT $1, $2::int + t.ord::int - 1, t.key, t.label, t.predicted, t.scores::real[]
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS t(key, label, predicted, scores, ord)`,
      runId,
      from,
      these.keys(),
      these.labels(),
      Array.from({ length: part.length }, (_, i) => labels[part.top(i)]),
      Array.from({ length: part.length }, (_, i) => `{${Array.from(part.row(i), (x) => (Number.isFinite(x) ? x : 0)).join(",")}}`),
    );
  }
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
  // Both labels name one cell (the diagonal included); otherwise only the mistakes.
  const conditions = [`"runId" = $1`];
  const params: (string | number)[] = [runId];
  if (q.true === undefined || q.predicted === undefined) conditions.push("label <> predicted");
  for (const [column, value] of [["label", q.true], ["predicted", q.predicted]] as const) {
    if (value === undefined) continue;
    params.push(value);
    conditions.push(`${column} = $${params.length}`);
  }
  const where = conditions.join(" AND ");
  const [[{ n }], rows] = await Promise.all([
    db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "RunTestRow" WHERE ${where}`, ...params),
    db.$queryRawUnsafe<{ idx: number; key: string; label: string; predicted: string; scores: number[] }[]>(
      `SELECT idx, key, label, predicted, scores FROM "RunTestRow" WHERE ${where} ORDER BY idx LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      ...params,
      q.limit,
      q.offset,
    ),
  ]);
  return { total: Number(n), rows };
}
