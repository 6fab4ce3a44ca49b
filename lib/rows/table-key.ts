import type { PrismaClient } from "../db/generated/client";
import { qualifiedName, quoteIdent, type TableRef } from "../db/catalog";

// What identifies a row of a user table: its primary key when it has one, otherwise a hash of its
// label and text (two rows with the same label and text are then the same row). The key is read as
// text with every row; its 64-bit hash (lib/rows/key-hash.ts) decides the stable split and is what
// a version remembers having trained on. Key hashes of primary keys include the table's name, so a
// row 17 of another table is another row; content hashes do not, so a copied table's rows are the
// same rows.

export interface TableKey {
  /** shown on the run: "id", "(org, id)" or "hash(label,text)" */
  name: string;
  /** the primary key's columns with their SQL types; empty for a content hash */
  columns: { name: string; type: string }[];
  /** prefix of every key before hashing */
  scope: string;
}

export const CONTENT_KEY = "hash(label,text)";

export async function tableKey(db: PrismaClient, table: TableRef): Promise<TableKey> {
  const columns = await db.$queryRawUnsafe<{ name: string; type: string }[]>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
     FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
     WHERE i.indrelid = $1::regclass AND i.indisprimary
     ORDER BY array_position(i.indkey::int2[], a.attnum)`,
    qualifiedName(table),
  );
  if (columns.length === 0) return { name: CONTENT_KEY, columns: [], scope: "" };
  const name = columns.length === 1 ? columns[0].name : `(${columns.map((c) => c.name).join(", ")})`;
  return { name, columns, scope: `${table.schema}.${table.table}\u001f` };
}

/** The SQL that reads a row's key as text: a column, a JSON array of columns, or the content's md5. */
export function keySql(key: TableKey, labelColumn: string, textColumn: string): string {
  if (key.columns.length === 1) return `${quoteIdent(key.columns[0].name)}::text`;
  if (key.columns.length > 1) return `json_build_array(${key.columns.map((c) => `${quoteIdent(c.name)}::text`).join(", ")})::text`;
  return `md5(coalesce(${quoteIdent(labelColumn)}::text, '') || chr(31) || coalesce(${quoteIdent(textColumn)}::text, ''))`;
}

/**
 * Key order: the primary key's, else physical order. With `from` (the table as written in FROM) the
 * columns are qualified by it, so that a select list giving a key column's name to another value
 * (`id::text AS id`) does not change the order.
 */
export function keyOrderSql(key: TableKey, from?: string): string {
  const q = from ? `${from}.` : "";
  return key.columns.length > 0 ? key.columns.map((c) => q + quoteIdent(c.name)).join(", ") : `${q}ctid`;
}

/** The key's value as hashed (scoped by table for primary keys). */
export const scopedKey = (key: TableKey, value: string) => key.scope + value;
