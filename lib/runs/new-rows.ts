import type { PrismaClient } from "../db/generated/client";
import { qualifiedName, quoteIdent } from "../db/catalog";
import { KeyHashes } from "../rows/key-hash";
import { keyOrderSql, keySql, scopedKey } from "../rows/table-key";
import { rowsOfVersion } from "../rows/version-rows";
import type { RunSource } from "./resolve-request";

// How many of a table's usable rows are new to the serving version of a model (neither trained nor
// tested on): what a run with rows "new" adds (the New run form shows it). Reads only the rows' keys.

export interface NewRowsCount {
  /** usable rows (a label and a text), within the limit */
  rows: number;
  /** rows the serving version has neither trained nor been tested on; null when that is unknown (no record) */
  newRows: number | null;
  /** whether a version serves */
  serving: boolean;
}

export async function countNewRows(db: PrismaClient, modelId: string, source: RunSource, limit?: number): Promise<NewRowsCount> {
  const model = await db.model.findUniqueOrThrow({ where: { id: modelId }, select: { servingVersionId: true } });
  const label = quoteIdent(source.labelColumn);
  const text = quoteIdent(source.textColumn);
  const from = qualifiedName(source.table);
  const keys = await db.$queryRawUnsafe<{ key: string }[]>(
    `SELECT ${keySql(source.key, source.labelColumn, source.textColumn)} AS key FROM ${from} ` +
      `WHERE nullif(btrim(${label}::text), '') IS NOT NULL AND nullif(btrim(${text}::text), '') IS NOT NULL ` +
      `ORDER BY ${keyOrderSql(source.key, from)}${limit ? ` LIMIT ${Math.floor(limit)}` : ""}`,
  );
  if (!model.servingVersionId) return { rows: keys.length, newRows: keys.length, serving: false };
  const known = await rowsOfVersion(db, model.servingVersionId);
  if (!known) return { rows: keys.length, newRows: null, serving: true };
  const hashes = KeyHashes.of(keys.map((k) => scopedKey(source.key, k.key)));
  let newRows = 0;
  for (let i = 0; i < hashes.length; i++) if (!known.seen.has(hashes, i)) newRows++;
  return { rows: keys.length, newRows, serving: true };
}
