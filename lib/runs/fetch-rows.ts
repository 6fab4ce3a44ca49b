import type { PrismaClient } from "../db/generated/client";
import { qualifiedName, quoteIdent, type TableRef } from "../db/catalog";

// Reads (label, text) rows of a user table in chunks, in physical order (the original system's
// `SELECT TOP limit`), with identifiers quoted and every value bound.

export interface LabelledRow {
  label: string;
  text: string;
}

export interface FetchResult {
  rows: LabelledRow[];
  /** rows read but unusable (null label, null or blank text) */
  skipped: number;
}

export async function fetchLabelledRows(
  db: PrismaClient,
  source: { table: TableRef; labelColumn: string; textColumn: string; limit?: number },
  opts: { chunkSize?: number; onChunk?: (read: number, total: number) => void | Promise<void> } = {},
): Promise<FetchResult> {
  const chunkSize = opts.chunkSize ?? 2000;
  const from = qualifiedName(source.table);
  const [{ n }] = await db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM ${from}`);
  const total = Math.min(Number(n), source.limit ?? Number.POSITIVE_INFINITY);
  const sql =
    `SELECT ctid::text AS pos, ${quoteIdent(source.labelColumn)}::text AS label, ${quoteIdent(source.textColumn)}::text AS text ` +
    `FROM ${from} WHERE ctid > $1::tid ORDER BY ctid LIMIT $2`;
  const rows: LabelledRow[] = [];
  let skipped = 0;
  let read = 0;
  let after = "(0,0)";
  while (read < total) {
    const chunk = await db.$queryRawUnsafe<{ pos: string; label: string | null; text: string | null }[]>(
      sql,
      after,
      Math.min(chunkSize, total - read),
    );
    if (chunk.length === 0) break;
    for (const r of chunk) {
      const label = r.label?.trim();
      if (!label || r.text == null || r.text.trim() === "") skipped++;
      else rows.push({ label, text: r.text });
    }
    read += chunk.length;
    after = chunk[chunk.length - 1].pos;
    await opts.onChunk?.(read, total);
  }
  return { rows, skipped };
}
