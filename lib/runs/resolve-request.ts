import type { PrismaClient } from "../db/generated/client";
import { findColumn, findTable, type TableRef } from "../db/catalog";
import { tableKey, type TableKey } from "../rows/table-key";
import { asModelKind, type Issue, type ModelKind, type RunRequest } from "../validations/run-request";

// The checks of a TrainRequest that need the database: the model exists (and its kind picks the
// request's schema), the table exists and is readable, both columns exist. The API runs them
// before queueing; the worker checks the table and columns again before fetching (they may have
// changed since).

export interface RunSource {
  table: TableRef;
  /** what identifies its rows */
  key: TableKey;
  labelColumn: string;
  textColumn: string;
}

export interface RunModel {
  id: string;
  name: string;
  kind: ModelKind;
}

/** The model a request names, else the default one. */
export async function findRunModel(db: PrismaClient, name: string | undefined): Promise<{ ok: true; model: RunModel } | { ok: false; issue: Issue }> {
  const select = { id: true, name: true, kind: true } as const;
  const model = name ? await db.model.findUnique({ where: { name }, select }) : await db.model.findFirst({ where: { isDefault: true }, select });
  if (!model) return { ok: false, issue: { path: "model", message: name ? `no configured model is named "${name}"` : "no default model is configured" } };
  return { ok: true, model: { ...model, kind: asModelKind(model.kind) } };
}

interface SourceCheck {
  issues: Issue[];
  table?: TableRef;
  labelColumn?: string;
  textColumn?: string;
}

/** Table and columns against the catalogue; `columns` null when the request's columns field is unusable. */
export async function checkSource(db: PrismaClient, tableName: string, columns: { label: string; text: string } | null): Promise<SourceCheck> {
  const table = await findTable(db, tableName);
  if (!table) return { issues: [{ path: "table", message: `no table named "${tableName}" exists in the database` }] };
  if (!columns) return { issues: [], table };
  const issues: Issue[] = [];
  const labelColumn = findColumn(table, columns.label);
  const textColumn = findColumn(table, columns.text);
  const available = table.columns.map((c) => c.name).join(", ");
  if (!labelColumn) issues.push({ path: "columns", message: `label column "${columns.label}" is not a column of ${table.table} (it has: ${available})` });
  if (!textColumn) issues.push({ path: "columns", message: `text column "${columns.text}" is not a column of ${table.table} (it has: ${available})` });
  if (labelColumn && labelColumn === textColumn) issues.push({ path: "columns", message: "the label and text columns must differ" });
  return { issues, table, labelColumn: labelColumn ?? undefined, textColumn: textColumn ?? undefined };
}

/** A parsed request's table and columns, resolved against the catalogue. */
export async function resolveSource(db: PrismaClient, req: Pick<RunRequest, "table" | "columns">): Promise<{ ok: true; source: RunSource } | { ok: false; issues: Issue[] }> {
  const { issues, table, labelColumn, textColumn } = await checkSource(db, req.table, req.columns);
  if (issues.length > 0 || !table || !labelColumn || !textColumn) return { ok: false, issues };
  return { ok: true, source: { table, key: await tableKey(db, table), labelColumn, textColumn } };
}
