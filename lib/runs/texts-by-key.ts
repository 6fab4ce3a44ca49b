import type { PrismaClient } from "../db/generated/client";
import { qualifiedName, quoteIdent } from "../db/catalog";
import type { RunSource } from "./resolve-request";
import { keySql } from "../rows/table-key";

/**
 * The texts of the rows with these keys (as lib/rows/table-key.ts reads keys), read back from the
 * user's table; a key whose row is gone is missing from the map. A single-column primary key is
 * looked up through its index; other keys scan the table once.
 */
export async function textsByKey(db: PrismaClient, source: RunSource, keys: string[]): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const key = keySql(source.key, source.labelColumn, source.textColumn);
  const cols = source.key.columns;
  const where = cols.length === 1 ? `${quoteIdent(cols[0].name)} = ANY($1::text[]::${cols[0].type}[])` : `${key} = ANY($1::text[])`;
  const rows = await db.$queryRawUnsafe<{ key: string; text: string | null }[]>(
    `SELECT ${key} AS key, ${quoteIdent(source.textColumn)}::text AS text FROM ${qualifiedName(source.table)} WHERE ${where}`,
    keys,
  );
  return new Map(rows.filter((r) => r.text !== null).map((r) => [r.key, r.text!]));
}
