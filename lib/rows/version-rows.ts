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
 * Bytes per part of a record (one row of VersionRowsPart, written and read in a statement of its
 * own): a 7,000,000-row version's 100 MB as one parameter cost the worker 0.7 GB in conversions on
 * the way (text and JSON encodings of it).
 */
export const RECORD_PART_BYTES = 8 * 2 ** 20;

type Kind = "trained" | "seen";

/** The version's rows; null when it has no record (made before rows were recorded). */
export async function rowsOfVersion(db: Db, versionId: string): Promise<VersionRows | null> {
  const record = await db.versionTrainedRows.findUnique({ where: { versionId }, select: { count: true, seenCount: true } });
  if (!record) return null;
  return { trained: KeyHashSet.adopt(await readSet(db, versionId, "trained", record.count)), seen: KeyHashSet.adopt(await readSet(db, versionId, "seen", record.seenCount)) };
}

/** A set's parts, one statement each, into one buffer of `count` hashes; a part missing or of the wrong size is an error (a record is written whole or not at all). */
async function readSet(db: Db, versionId: string, kind: Kind, count: number): Promise<ArrayBuffer> {
  const out = new Uint8Array(count * 8);
  for (let part = 0, at = 0; at < out.length; part++) {
    const [row] = await bulkQuery<{ bytes: Uint8Array }[]>(db, `SELECT bytes FROM "VersionRowsPart" WHERE "versionId" = $1 AND kind = $2 AND part = $3`, versionId, kind, part);
    const expected = Math.min(RECORD_PART_BYTES, out.length - at);
    if (!row || row.bytes.length !== expected) throw new Error(`version ${versionId}: part ${part} of its ${kind} rows is ${row ? `${row.bytes.length} bytes, not ${expected}` : "missing"}`);
    out.set(row.bytes, at);
    at += expected;
  }
  return out.buffer;
}

/** Writes the version's record: its counts, then each set a part at a time (RECORD_PART_BYTES), in the caller's transaction. */
export async function saveVersionRows(db: Db, versionId: string, rows: VersionRows): Promise<void> {
  await db.versionTrainedRows.create({ data: { versionId, count: rows.trained.size, seenCount: rows.seen.size } });
  for (const [kind, set] of [["trained", rows.trained], ["seen", rows.seen]] as const) {
    let part = 0;
    for (const bytes of set.parts(RECORD_PART_BYTES)) {
      await bulkExecute(db, `INSERT INTO "VersionRowsPart" ("versionId", kind, part, bytes) VALUES ($1, $2, $3, $4)`, versionId, kind, part++, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    }
  }
}
