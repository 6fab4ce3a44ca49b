import type { PrismaClient } from "../db/generated/client";
import { findColumn, findTable, type TableRef } from "../db/catalog";
import type { RunRequest } from "../validations/run-request";

// The checks of a TrainRequest that need the database: the model exists, the table exists and is
// readable, both columns exist. Run by the API before queueing and by the worker before fetching.

type Issue = { path: string; message: string };

export interface ResolvedRequest {
  model: { id: string; name: string };
  table: TableRef;
  labelColumn: string;
  textColumn: string;
}

export type Resolution = { ok: true; resolved: ResolvedRequest } | { ok: false; issues: Issue[] };

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

export async function resolveRequest(db: PrismaClient, req: RunRequest): Promise<Resolution> {
  const issues: Issue[] = [];
  const model = req.model
    ? await db.model.findUnique({ where: { name: req.model }, select: { id: true, name: true } })
    : await db.model.findFirst({ where: { isDefault: true }, select: { id: true, name: true } });
  if (!model) {
    issues.push({ path: "model", message: req.model ? `no configured model is named "${req.model}"` : "no default model is configured" });
  }
  const source = await checkSource(db, req.table, req.columns);
  issues.push(...source.issues);
  if (issues.length > 0 || !model || !source.table || !source.labelColumn || !source.textColumn) return { ok: false, issues };
  return { ok: true, resolved: { model, table: source.table, labelColumn: source.labelColumn, textColumn: source.textColumn } };
}
