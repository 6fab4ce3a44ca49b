import type { PrismaClient } from "../db/generated/client";
import { qualifiedName, quoteIdent, type TableRef } from "../db/catalog";
import { keyOrderSql, keySql, type TableKey } from "../rows/table-key";
import type { TextSpill } from "./text-spill";
import { collectGarbageIfGrown } from "../process/collect-garbage";
import { RowTable } from "./row-table";

// Reads (key, label, text) rows of a user table in key order (the primary key's, else physical
// order: the original system's `SELECT TOP limit`), with identifiers quoted and every value bound
// or checked. One query reads the table once, through a cursor fetched in chunks inside one
// transaction: linear in the rows read (no re-scan per chunk), consistent (one snapshot, even while
// the table grows), and a limit reads only that many rows (the count for progress included).
// The rows land in columns (./row-table.ts); with `spill`, a big table's keys and texts go to
// files as they arrive instead of staying in memory (./text-spill.ts), read back when asked for.

export interface FetchResult {
  rows: RowTable;
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

const CURSOR = "labelled_rows";
/** How long one fetch may hold its transaction open (a huge table on a slow disk). */
const FETCH_TIMEOUT_MS = 6 * 3600_000;

export async function fetchLabelledRows(
  db: PrismaClient,
  source: Source,
  opts: {
    chunkSize?: number;
    onChunk?: (read: number, total: number) => void | Promise<void>;
    /** called with the row count before the first row is read: spill files to put the keys and texts in, or null to keep them in memory */
    spill?: (total: number) => { keys: TextSpill; texts: TextSpill } | null;
  } = {},
): Promise<FetchResult> {
  const chunkSize = opts.chunkSize ?? 5000;
  const { limit } = source;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0)) throw new RangeError(`limit must be a whole number ≥ 0, got ${limit}`);
  if (!(Number.isSafeInteger(chunkSize) && chunkSize > 0)) throw new RangeError(`chunkSize must be a whole number > 0, got ${chunkSize}`);
  const from = qualifiedName(source.table);
  const limitSql = limit === undefined ? "" : ` LIMIT ${limit}`;
  // Without a primary key: no ORDER BY, physical order (cursors never run parallel plans, and
  // synchronize_seqscans is off so the scan starts at the first block).
  const order = source.key.columns.length === 0 ? "" : ` ORDER BY ${keyOrderSql(source.key, from)}`; // qualified: a key column named "key", "label" or "text" is not the output column of that name
  const select =
    `SELECT ${keySql(source.key, source.labelColumn, source.textColumn)} AS key, ${quoteIdent(source.labelColumn)}::text AS label, ` +
    `${quoteIdent(source.textColumn)}::text AS text FROM ${from}${order}${limitSql}`;
  return db.$transaction(
    async (tx) => {
      const [{ n }] = await tx.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM (SELECT 1 FROM ${from}${limitSql}) AS counted`);
      const total = Number(n);
      await tx.$executeRawUnsafe(`SET LOCAL synchronize_seqscans = off`);
      await tx.$executeRawUnsafe(`DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${select}`);
      const spill = opts.spill?.(total) ?? null;
      const rows = new RowTable(source.key, spill);
      let skipped = 0;
      let read = 0;
      for (;;) {
        const chunk = await tx.$queryRawUnsafe<Record<string, string | null>[]>(`FETCH ${chunkSize} FROM ${CURSOR}`);
        if (chunk.length === 0) break;
        for (const r of chunk) {
          const label = r.label?.trim();
          if (!label || r.text == null || r.text.trim() === "") {
            skipped++;
            continue;
          }
          rows.add(r.key!, label, r.text);
        }
        if (spill) {
          rows.flush();
          // the chunk's strings are garbage now; collected once they add up, so that they do not pile up in the heap
          collectGarbageIfGrown();
        }
        read += chunk.length;
        await opts.onChunk?.(read, Math.max(total, read));
        if (chunk.length < chunkSize) break;
      }
      return { rows, skipped };
    },
    { timeout: FETCH_TIMEOUT_MS, maxWait: 60_000 },
  );
}
