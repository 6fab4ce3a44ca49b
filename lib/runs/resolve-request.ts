import type { PrismaClient } from "../db/generated/client";
import { findColumn, findTable, type TableRef } from "../db/catalog";
import type { RunRequest } from "../validations/run-request";

// The checks of a TrainRequest that need the database: the model exists, the table exists and is
// readable, both columns exist. Run by the API before queueing and by the worker before fetching.

export interface ResolvedRequest {
  model: { id: string; name: string };
  table: TableRef;
  labelColumn: string;
  textColumn: string;
}

export type Resolution =
  | { ok: true; resolved: ResolvedRequest }
  | { ok: false; issues: { path: string; message: string }[] };

export async function resolveRequest(db: PrismaClient, req: RunRequest): Promise<Resolution> {
  const issues: { path: string; message: string }[] = [];
  const model = req.model
    ? await db.model.findUnique({ where: { name: req.model }, select: { id: true, name: true } })
    : await db.model.findFirst({ where: { isDefault: true }, select: { id: true, name: true } });
  if (!model) {
    issues.push({
      path: "model",
      message: req.model ? `no configured model is named "${req.model}"` : "no default model is configured",
    });
  }
  const table = await findTable(db, req.table);
  let labelColumn: string | null = null;
  let textColumn: string | null = null;
  if (!table) {
    issues.push({ path: "table", message: `no table named "${req.table}" exists in the database` });
  } else {
    labelColumn = findColumn(table, req.columns.label);
    textColumn = findColumn(table, req.columns.text);
    const available = table.columns.map((c) => c.name).join(", ");
    if (!labelColumn) issues.push({ path: "columns", message: `label column "${req.columns.label}" is not a column of ${table.table} (it has: ${available})` });
    if (!textColumn) issues.push({ path: "columns", message: `text column "${req.columns.text}" is not a column of ${table.table} (it has: ${available})` });
    if (labelColumn && labelColumn === textColumn) issues.push({ path: "columns", message: "the label and text columns must differ" });
  }
  if (issues.length > 0 || !model || !table || !labelColumn || !textColumn) return { ok: false, issues };
  return { ok: true, resolved: { model, table, labelColumn, textColumn } };
}
