import type { PrismaClient } from "../db/generated/client";
import { qualifiedName, quoteIdent, type TableRef } from "../db/catalog";
import { keyOrderSql, keySql, type TableKey } from "../rows/table-key";

// Reads (key, label, text) rows of a user table in chunks, in key order (the primary key's, else
// physical order: the original system's `SELECT TOP limit`), with identifiers quoted and every
// value bound. Chunks continue after the last key read, so each chunk is an index range scan.

export interface LabelledRow {
  /** the row's key as text (lib/rows/table-key.ts) */
  key: string;
  label: string;
  text: string;
}

export interface FetchResult {
  rows: LabelledRow[];
  /** rows read but unusable (null label, null or blank text) */
  skipped: number;
}

interface Source {
  table: TableRef;
  key: TableKey;
  labelColumn: string;
  textColumn: string;
  limit?: number;
}

/** `WHERE` of the chunk after the row whose position is `after` (null: the first chunk). */
function afterSql(key: TableKey): (after: string[] | null) => { where: string; params: string[] } {
  if (key.columns.length === 0) return (after) => (after ? { where: "WHERE ctid > $2::tid", params: after } : { where: "", params: [] });
  const cols = key.columns.map((c) => quoteIdent(c.name)).join(", ");
  const vals = key.columns.map((c, i) => `$${i + 2}::text::${c.type}`).join(", ");
  return (after) => (after ? { where: `WHERE (${cols}) > (${vals})`, params: after } : { where: "", params: [] });
}

export async function fetchLabelledRows(
  db: PrismaClient,
  source: Source,
  opts: { chunkSize?: number; onChunk?: (read: number, total: number) => void | Promise<void> } = {},
): Promise<FetchResult> {
  const chunkSize = opts.chunkSize ?? 5000;
  const from = qualifiedName(source.table);
  const [{ n }] = await db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM ${from}`);
  const total = Math.min(Number(n), source.limit ?? Number.POSITIVE_INFINITY);
  const positionCols = source.key.columns.length === 0 ? ["ctid::text"] : source.key.columns.map((c) => `${quoteIdent(c.name)}::text`);
  const select =
    `SELECT ${keySql(source.key, source.labelColumn, source.textColumn)} AS key, ${quoteIdent(source.labelColumn)}::text AS label, ` +
    `${quoteIdent(source.textColumn)}::text AS text, ${positionCols.map((c, i) => `${c} AS p${i}`).join(", ")} FROM ${from}`;
  const after = afterSql(source.key);
  const rows: LabelledRow[] = [];
  let skipped = 0;
  let read = 0;
  let position: string[] | null = null;
  while (read < total) {
    const { where, params } = after(position);
    const chunk = await db.$queryRawUnsafe<Record<string, string | null>[]>(
      `${select} ${where} ORDER BY ${keyOrderSql(source.key)} LIMIT $1`,
      Math.min(chunkSize, total - read),
      ...params,
    );
    if (chunk.length === 0) break;
    for (const r of chunk) {
      const label = r.label?.trim();
      if (!label || r.text == null || r.text.trim() === "") skipped++;
      else rows.push({ key: r.key!, label, text: r.text });
    }
    read += chunk.length;
    const last = chunk[chunk.length - 1];
    position = positionCols.map((_, i) => last[`p${i}`]!);
    await opts.onChunk?.(read, total);
  }
  return { rows, skipped };
}
