import { to as copyTo } from "pg-copy-streams";
import { pgConnection, type PrismaClient } from "../db/client";
import { qualifiedName, quoteIdent, type TableRef } from "../db/catalog";
import { blankUtf8, CopyTextReader } from "../db/copy-text";
import { keyOrderSql, keySql, type TableKey } from "../rows/table-key";
import type { TextSpill } from "./text-spill";
import { collectGarbageIfGrown } from "../process/collect-garbage";
import { RowTable } from "./row-table";

// Reads (key, label, text) rows of a user table in key order (the primary key's, else physical
// order: the original system's `SELECT TOP limit`), with identifiers quoted and every value bound
// or checked. One `COPY (SELECT …) TO STDOUT` reads the table once, on a connection borrowed from
// the client's pool, in one read-only, repeatable-read transaction with the count for progress:
// linear in the rows read (no re-scan per chunk), consistent (one snapshot, even while the table
// grows), and a limit reads only that many rows. The COPY's text format is read as bytes
// (lib/db/copy-text.ts): a big table's texts go from the socket's buffers into spill files
// (./text-spill.ts) as UTF-8, with no JS string made for them (at 700,000 rows that was most of
// the fetch: node-postgres's strings and their collection); the rows land in columns (./row-table.ts).

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

export async function fetchLabelledRows(
  db: PrismaClient,
  source: Source,
  opts: {
    /** onChunk is called after about this many rows (and after the last) */
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
  // Without a primary key: no ORDER BY, physical order (synchronize_seqscans is off so the scan
  // starts at the first block).
  const order = source.key.columns.length === 0 ? "" : ` ORDER BY ${keyOrderSql(source.key, from)}`; // qualified: a key column named "key", "label" or "text" is not the output column of that name
  const select =
    `SELECT ${keySql(source.key, source.labelColumn, source.textColumn)} AS key, ${quoteIdent(source.labelColumn)}::text AS label, ` +
    `${quoteIdent(source.textColumn)}::text AS text FROM ${from}${order}${limitSql}`;

  const client = await pgConnection(db);
  let done = false;
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    const counted = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM (SELECT 1 FROM ${from}${limitSql}) AS counted`);
    const total = Number(counted.rows[0].n);
    await client.query("SET LOCAL synchronize_seqscans = off");
    const spill = opts.spill?.(total) ?? null;
    const rows = new RowTable(source.key, spill);
    const reader = new CopyTextReader(3);
    let skipped = 0;
    let read = 0;
    let reported = 0;
    const onRow = () => {
      const row = reader.row;
      read++;
      const label = row.text(1)?.trim();
      if (!label || row.isNull(2) || blankUtf8(row.buf(2), row.start(2), row.end(2))) {
        skipped++;
        return;
      }
      rows.addBytes(row.text(0)!, label, row.buf(2), row.start(2), row.end(2));
    };
    const report = async () => {
      reported = read;
      if (spill) {
        rows.flush();
        collectGarbageIfGrown(); // keys and labels are strings still; collected once they add up
      }
      await opts.onChunk?.(read, Math.max(total, read));
    };
    for await (const chunk of client.query(copyTo(`COPY (${select}) TO STDOUT`)) as AsyncIterable<Buffer>) {
      reader.feed(chunk, onRow);
      if (read - reported >= chunkSize) await report();
    }
    reader.end();
    if (read > reported) await report();
    await client.query("COMMIT");
    done = true;
    return { rows, skipped };
  } finally {
    // Stopped part-way (an error, a cancel from onChunk), the connection may still be inside the
    // COPY, with PostgreSQL sending rows nobody reads: the pool drops it, and node-postgres closes
    // the socket of a connection whose query is under way, which ends the COPY and its transaction.
    client.release(!done);
  }
}
