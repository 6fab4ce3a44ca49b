import type { Prisma, PrismaClient } from "../db/generated/client";
import { KeyHashSet } from "./key-hash";
import { bulkExecute, bulkQuery } from "../db/bulk-statement";

// Which rows each version trained on, and which it has seen (trained on or was tested on), its
// ancestors' included (VersionTrainedRows), as sorted sets of 64-bit key hashes.

type Db = PrismaClient | Prisma.TransactionClient;

export interface VersionRows {
  trained: KeyHashSet;
  /** trained on or tested on: rows outside it are new to the version */
  seen: KeyHashSet;
}

/**
 * Bytes per statement when a record is written or read back: a 7,000,000-row version's 100 MB as
 * one parameter cost the worker 0.7 GB in conversions on the way (text and JSON encodings of it).
 */
export const RECORD_PART_BYTES = 8 * 2 ** 20;

type Column = "hashes" | "seenHashes";

/** The version's rows; null when it has no record (made before rows were recorded). */
export async function rowsOfVersion(db: Db, versionId: string): Promise<VersionRows | null> {
  const [row] = await db.$queryRaw<{ trained: number; seen: number }[]>`
    SELECT octet_length(hashes) AS trained, octet_length("seenHashes") AS seen FROM "VersionTrainedRows" WHERE "versionId" = ${versionId}`;
  if (!row) return null;
  return { trained: KeyHashSet.adopt(await readColumn(db, versionId, "hashes", Number(row.trained))), seen: KeyHashSet.adopt(await readColumn(db, versionId, "seenHashes", Number(row.seen))) };
}

async function readColumn(db: Db, versionId: string, column: Column, length: number): Promise<ArrayBuffer> {
  const out = new Uint8Array(length);
  for (let at = 0; at < length; at += RECORD_PART_BYTES) {
    const [{ part }] = await bulkQuery<{ part: Uint8Array }[]>(
      db,
      `SELECT substring("${column}" FROM $1::int FOR $2::int) AS part FROM "VersionTrainedRows" WHERE "versionId" = $3`,
      at + 1,
      RECORD_PART_BYTES,
      versionId,
    );
    out.set(part, at);
  }
  return out.buffer;
}

/** Writes the version's record: its counts, then each set appended a part at a time (RECORD_PART_BYTES). */
export async function saveVersionRows(db: Db, versionId: string, rows: VersionRows): Promise<void> {
  const empty = new Uint8Array(0);
  await db.versionTrainedRows.create({ data: { versionId, count: rows.trained.size, hashes: empty, seenCount: rows.seen.size, seenHashes: empty } });
  for (const [column, set] of [["hashes", rows.trained], ["seenHashes", rows.seen]] as const) {
    for (const part of set.parts(RECORD_PART_BYTES)) {
      await bulkExecute(db, `UPDATE "VersionTrainedRows" SET "${column}" = "${column}" || $1 WHERE "versionId" = $2`, Buffer.from(part.buffer, part.byteOffset, part.byteLength), versionId);
    }
  }
}
