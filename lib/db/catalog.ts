import type { PrismaClient } from "./generated/client";

// What a training run may read: user tables as the database catalogue describes them. Names from
// requests are only ever used after being found here, and then only as quoted identifiers.

export interface TableRef {
  schema: string;
  table: string;
  columns: { name: string; dataType: string }[];
}

/** The product's own tables (users, tokens, runs, weights…) are never a data source. */
export const INTERNAL_TABLES = new Set([
  "User", "ApiToken", "Setting", "Model", "ModelVersion", "ArtifactFile", "Promotion", "feature_cache",
  "TrainingRun", "RunLog", "Worker", "EncodeShard", "LoginThrottle", "VersionTrainedRows", "VersionRowsPart", "RunTestRow", "Schedule", "Sweep", "Webhook", "WebhookDelivery", "ModelAlias",
  "_prisma_migrations",
]);

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualifiedName(t: TableRef): string {
  return `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`;
}

/** Splits "schema.table" or "table" (schema defaults to public). Quotes around a part are allowed. */
export function parseTableName(name: string): { schema: string; table: string } {
  const unquote = (s: string) => s.trim().replace(/^"(.*)"$/, "$1");
  const dot = name.indexOf(".");
  if (dot === -1) return { schema: "public", table: unquote(name) };
  return { schema: unquote(name.slice(0, dot)), table: unquote(name.slice(dot + 1)) };
}

/**
 * Finds a user table in the catalogue (exact name first, then case-insensitively when that is
 * unambiguous, as unquoted SQL names would). Returns null when there is none.
 */
export async function findTable(db: PrismaClient, name: string): Promise<TableRef | null> {
  const wanted = parseTableName(name);
  const rows = await db.$queryRaw<{ table_schema: string; table_name: string; column_name: string; data_type: string }[]>`
    SELECT c.table_schema, c.table_name, c.column_name, c.data_type
    FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
    WHERE lower(c.table_schema) = lower(${wanted.schema}) AND lower(c.table_name) = lower(${wanted.table})
      AND t.table_type = 'BASE TABLE'
      AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
    ORDER BY c.ordinal_position`;
  const byTable = new Map<string, TableRef>();
  for (const r of rows) {
    const key = `${r.table_schema}.${r.table_name}`;
    if (!byTable.has(key)) byTable.set(key, { schema: r.table_schema, table: r.table_name, columns: [] });
    byTable.get(key)!.columns.push({ name: r.column_name, dataType: r.data_type });
  }
  const candidates = [...byTable.values()].filter((t) => !(t.schema === "public" && INTERNAL_TABLES.has(t.table)));
  const exact = candidates.find((t) => t.schema === wanted.schema && t.table === wanted.table);
  if (exact) return exact;
  return candidates.length === 1 ? candidates[0] : null;
}

/** A column of the table by exact name, or case-insensitively when unambiguous. */
export function findColumn(t: TableRef, name: string): string | null {
  if (t.columns.some((c) => c.name === name)) return name;
  const ci = t.columns.filter((c) => c.name.toLowerCase() === name.toLowerCase());
  return ci.length === 1 ? ci[0].name : null;
}
