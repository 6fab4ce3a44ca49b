import type { Prisma, PrismaClient } from "../db/generated/client";
import { KeyHashSet } from "./key-hash";

// Which rows each version trained on, and which it has seen (trained on or was tested on), its
// ancestors' included (VersionTrainedRows), as sorted sets of 64-bit key hashes.

type Db = PrismaClient | Prisma.TransactionClient;

export interface VersionRows {
  trained: KeyHashSet;
  /** trained on or tested on: rows outside it are new to the version */
  seen: KeyHashSet;
}

/** The version's rows; null when it has no record (made before rows were recorded). */
export async function rowsOfVersion(db: Db, versionId: string): Promise<VersionRows | null> {
  const row = await db.versionTrainedRows.findUnique({ where: { versionId }, select: { hashes: true, seenHashes: true } });
  return row ? { trained: KeyHashSet.fromBytes(row.hashes), seen: KeyHashSet.fromBytes(row.seenHashes) } : null;
}

export async function saveVersionRows(db: Db, versionId: string, rows: VersionRows): Promise<void> {
  await db.versionTrainedRows.create({
    data: { versionId, count: rows.trained.size, hashes: rows.trained.toBytes(), seenCount: rows.seen.size, seenHashes: rows.seen.toBytes() },
  });
}
