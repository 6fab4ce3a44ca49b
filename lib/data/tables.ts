import type { PrismaClient } from "../db/generated/client";
import { findColumn, findTable, INTERNAL_TABLES, qualifiedName, quoteIdent, type TableRef } from "../db/catalog";
import { AppError, badRequest } from "../errors";
import { keyOrderSql, tableKey } from "../rows/table-key";
export { guessColumns } from "./columns";

// The user tables a training run may read, as the catalogue describes them, and what the data
// page and the new-run form show of them: rows (paged, searchable), a preview and the label
// distribution. Names are found in the catalogue first and only then used, quoted; values are bound.

export interface TableColumn {
  name: string;
  type: string;
}

export interface TableSummary {
  /** what a run request's `table` takes: "name" in public, "schema.name" elsewhere */
  name: string;
  schema: string;
  table: string;
  columns: TableColumn[];
  rows: number;
  /** false when `rows` is the planner's estimate (large tables) */
  rowsExact: boolean;
}

/** Tables up to this estimated size are counted exactly; larger ones show the planner's estimate. */
const EXACT_COUNT_BELOW = 200_000;
const TEXT_TYPES = new Set(["text", "character varying", "character", "citext", "name"]);

export function tableName(t: { schema: string; table: string }): string {
  return t.schema === "public" ? t.table : `${t.schema}.${t.table}`;
}

function isInternal(schema: string, table: string): boolean {
  return schema === "public" && INTERNAL_TABLES.has(table);
}

async function countRows(db: PrismaClient, t: { schema: string; table: string }, estimate: number): Promise<{ rows: number; exact: boolean }> {
  if (estimate >= EXACT_COUNT_BELOW) return { rows: estimate, exact: false };
  const [{ n }] = await db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM ${qualifiedName({ ...t, columns: [] })}`);
  return { rows: Number(n), exact: true };
}

/** Every user table (not the product's own, not the system catalogues), with columns and row counts. */
export async function listTables(db: PrismaClient): Promise<TableSummary[]> {
  const rows = await db.$queryRaw<{ table_schema: string; table_name: string; column_name: string; data_type: string; estimate: number | null }[]>`
    SELECT c.table_schema, c.table_name, c.column_name, c.data_type, pc.reltuples::float8 AS estimate
    FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
    LEFT JOIN pg_namespace pn ON pn.nspname = c.table_schema
    LEFT JOIN pg_class pc ON pc.relnamespace = pn.oid AND pc.relname = c.table_name
    WHERE t.table_type = 'BASE TABLE'
      AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
      AND c.table_schema NOT LIKE 'pg_toast%'
    ORDER BY c.table_schema, c.table_name, c.ordinal_position`;
  const byTable = new Map<string, { schema: string; table: string; columns: TableColumn[]; estimate: number }>();
  for (const r of rows) {
    if (isInternal(r.table_schema, r.table_name)) continue;
    const key = `${r.table_schema}.${r.table_name}`;
    if (!byTable.has(key)) byTable.set(key, { schema: r.table_schema, table: r.table_name, columns: [], estimate: Number(r.estimate ?? -1) });
    byTable.get(key)!.columns.push({ name: r.column_name, type: r.data_type });
  }
  const out: TableSummary[] = [];
  for (const t of byTable.values()) {
    const { rows: n, exact } = await countRows(db, t, t.estimate);
    out.push({ name: tableName(t), schema: t.schema, table: t.table, columns: t.columns, rows: n, rowsExact: exact });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** The table by name, or a 404 naming it. */
export async function requireTable(db: PrismaClient, name: string): Promise<TableRef> {
  const t = await findTable(db, name);
  if (!t) throw new AppError("not_found", 404, `No table named "${name}" that a run can read exists in the database`, [{ path: "table", message: `no table named "${name}"` }]);
  return t;
}

function requireColumn(t: TableRef, name: string, field: string): string {
  const c = findColumn(t, name);
  if (!c) throw badRequest([{ path: field, message: `"${name}" is not a column of ${t.table} (it has: ${t.columns.map((x) => x.name).join(", ")})` }]);
  return c;
}

export interface LabelCount {
  label: string | null;
  count: number;
}

export interface TablePreview {
  table: string;
  columns: TableColumn[];
  rows: Record<string, string | null>[];
  total: number;
  label: string | null;
  text: string | null;
  /** most frequent labels first (at most 100) */
  distribution: LabelCount[];
  /** how many distinct labels there are (may exceed distribution.length) */
  distinctLabels: number;
  /** rows a run would skip: no label, or no/blank text */
  unusable: number | null;
}

const PREVIEW_CHARS = 400;

/** Rows per value of the label column among the rows `whereSql` keeps: most frequent first (at most 100), and how many values in all. */
async function labelCounts(
  db: PrismaClient,
  from: string,
  labelColumn: string,
  whereSql = "",
  params: unknown[] = [],
): Promise<{ distribution: LabelCount[]; distinctLabels: number }> {
  const l = quoteIdent(labelColumn);
  const dist = await db.$queryRawUnsafe<{ label: string | null; n: bigint }[]>(
    `SELECT ${l}::text AS label, count(*) AS n FROM ${from}${whereSql} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 100`,
    ...params,
  );
  const [{ k }] = await db.$queryRawUnsafe<{ k: bigint }[]>(`SELECT count(DISTINCT ${l}) AS k FROM ${from}${whereSql}`, ...params);
  return { distribution: dist.map((d) => ({ label: d.label, count: Number(d.n) })), distinctLabels: Number(k) };
}

function selectList(t: TableRef, truncate: boolean): string {
  return t.columns
    .map((c) => (truncate ? `left(${quoteIdent(c.name)}::text, ${PREVIEW_CHARS}) AS ${quoteIdent(c.name)}` : `${quoteIdent(c.name)}::text AS ${quoteIdent(c.name)}`))
    .join(", ");
}

/** The first rows (in physical order, as a run reads them) and the label distribution. */
export async function previewTable(
  db: PrismaClient,
  name: string,
  opts: { label?: string; text?: string; rows?: number },
): Promise<TablePreview> {
  const t = await requireTable(db, name);
  const label = opts.label ? requireColumn(t, opts.label, "label") : null;
  const text = opts.text ? requireColumn(t, opts.text, "text") : null;
  const from = qualifiedName(t);
  const rows = await db.$queryRawUnsafe<Record<string, string | null>[]>(`SELECT ${selectList(t, true)} FROM ${from} LIMIT $1`, opts.rows ?? 10);
  const [{ n }] = await db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM ${from}`);
  let distribution: LabelCount[] = [];
  let distinctLabels = 0;
  let unusable: number | null = null;
  if (label) {
    const l = quoteIdent(label);
    ({ distribution, distinctLabels } = await labelCounts(db, from, label));
    if (text) {
      const x = quoteIdent(text);
      const [{ u }] = await db.$queryRawUnsafe<{ u: bigint }[]>(
        `SELECT count(*) AS u FROM ${from} WHERE ${l} IS NULL OR btrim(${l}::text) = '' OR ${x} IS NULL OR btrim(${x}::text) = ''`,
      );
      unusable = Number(u);
    }
  }
  return {
    table: tableName(t),
    columns: t.columns.map((c) => ({ name: c.name, type: c.dataType })),
    rows,
    total: Number(n),
    label,
    text,
    distribution,
    distinctLabels,
    unusable,
  };
}

export interface RowsPage {
  table: string;
  columns: TableColumn[];
  rows: Record<string, string | null>[];
  /** rows matching the search */
  total: number;
  offset: number;
  limit: number;
  q: string;
  /** the text columns the search looked in */
  searched: string[];
  /** the columns the rows are ordered by (the primary key's, ascending); empty: physical order */
  orderedBy: string[];
  /** with ?label=<column>: rows per value of that column among the rows matching the search */
  labels: { column: string; distribution: LabelCount[]; distinctLabels: number } | null;
}

/** `%`, `_` and `\` taken literally inside an ILIKE pattern. */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * A page of rows in the order of the table's primary key (physical order without one), optionally
 * only those whose text columns contain `q` (case-insensitive); with `label` (a column), also the
 * label counts of every row the filter keeps, not just the page's.
 */
export async function browseRows(
  db: PrismaClient,
  name: string,
  opts: { q?: string; offset: number; limit: number; label?: string; labelValue?: string },
): Promise<RowsPage> {
  const t = await requireTable(db, name);
  const from = qualifiedName(t);
  const searched = t.columns.filter((c) => TEXT_TYPES.has(c.dataType)).map((c) => c.name);
  const q = (opts.q ?? "").trim();
  const params: unknown[] = [];
  const where: string[] = [];
  if (q) {
    if (searched.length === 0) throw badRequest([{ path: "q", message: `${t.table} has no text columns to search` }]);
    params.push(likePattern(q));
    where.push(`(${searched.map((c) => `${quoteIdent(c)} ILIKE $${params.length}`).join(" OR ")})`);
  }
  const labelColumn = opts.label ? requireColumn(t, opts.label, "label") : null;
  if (labelColumn && opts.labelValue !== undefined) {
    params.push(opts.labelValue);
    where.push(`${quoteIdent(labelColumn)}::text = $${params.length}`);
  }
  const whereSql = where.length ? ` WHERE ${where.join(" AND ")}` : "";
  const key = await tableKey(db, t);
  const [{ n }] = await db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM ${from}${whereSql}`, ...params);
  const rows = await db.$queryRawUnsafe<Record<string, string | null>[]>(
    `SELECT ${selectList(t, true)} FROM ${from}${whereSql} ORDER BY ${keyOrderSql(key, from)} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    ...params,
    opts.limit,
    opts.offset,
  );
  return {
    table: tableName(t),
    columns: t.columns.map((c) => ({ name: c.name, type: c.dataType })),
    rows,
    total: Number(n),
    offset: opts.offset,
    limit: opts.limit,
    q,
    searched,
    orderedBy: key.columns.map((c) => c.name),
    labels: labelColumn ? { column: labelColumn, ...(await labelCounts(db, from, labelColumn, whereSql, params)) } : null,
  };
}
