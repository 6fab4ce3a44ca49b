import { parse as parseCsv } from "csv-parse/sync";
import { z } from "zod";
import type { PrismaClient } from "../db/generated/client";
import { quoteIdent } from "../db/catalog";
import { HttpError, badRequest } from "../http";
import { MAX_IMPORT_BYTES, TABLE_NAME, tableNameSchema } from "../validations/import";
import { guessColumns } from "./columns";

// Import of a CSV or JSONL file into a new labelled-text table (id serial, label text, text text):
// parse, pick the label and text fields, check every line (rejected lines are reported with their
// line number and why), then create the table and insert every accepted row in one transaction.

export type ImportFormat = "csv" | "jsonl";
export { MAX_IMPORT_BYTES, TABLE_NAME, tableNameSchema };

export interface RejectedLine {
  line: number;
  reason: string;
}

export interface ParsedFile {
  format: ImportFormat;
  /** field names (CSV header, or the keys seen in JSONL objects) */
  columns: string[];
  /** every record, as field → value, with its line number */
  records: { line: number; values: Record<string, unknown> }[];
  /** lines that could not be read at all (bad JSON, wrong column count, bad quoting) */
  rejected: RejectedLine[];
}

export interface CheckedImport {
  format: ImportFormat;
  columns: string[];
  label: string | null;
  text: string | null;
  rows: { line: number; label: string; text: string }[];
  rejected: RejectedLine[];
}

export function detectFormat(fileName: string, content: string): ImportFormat {
  if (/\.(jsonl|ndjson|json)$/i.test(fileName)) return "jsonl";
  if (/\.(csv|tsv|txt)$/i.test(fileName)) return "csv";
  return content.trimStart().startsWith("{") ? "jsonl" : "csv";
}

function parseCsvFile(content: string): ParsedFile {
  const rejected: RejectedLine[] = [];
  const records = parseCsv(content, {
    bom: true,
    info: true,
    raw: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (err: { lines?: number; message: string } | undefined) => {
      if (err) rejected.push({ line: err.lines ?? 0, reason: `bad CSV: ${err.message.replace(/\s*at line \d+/, "")}` });
    },
  }) as unknown as { record: string[]; raw: string; info: { lines: number } }[];
  // A quoted field may span lines: report the line the record starts on.
  const firstLine = (r: { raw: string; info: { lines: number } }) => r.info.lines - (r.raw.replace(/\r?\n$/, "").match(/\n/g)?.length ?? 0);
  if (records.length === 0) throw badRequest([{ path: "file", message: "the file is empty: a CSV needs a header line and at least one row" }]);
  const header = records[0]!.record.map((h) => h.trim());
  if (header.some((h) => h === "")) throw badRequest([{ path: "file", message: `the header line (line ${records[0]!.info.lines}) has an empty column name` }]);
  if (new Set(header).size !== header.length) throw badRequest([{ path: "file", message: "the header line names a column twice" }]);
  const out: ParsedFile["records"] = [];
  for (const r of records.slice(1)) {
    const { record } = r;
    const line = firstLine(r);
    if (record.length !== header.length) {
      rejected.push({ line, reason: `wrong column count: expected ${header.length}, got ${record.length}` });
      continue;
    }
    out.push({ line, values: Object.fromEntries(header.map((h, i) => [h, record[i]])) });
  }
  return { format: "csv", columns: header, records: out, rejected };
}

function parseJsonlFile(content: string): ParsedFile {
  const rejected: RejectedLine[] = [];
  const records: ParsedFile["records"] = [];
  const columns: string[] = [];
  const seen = new Set<string>();
  const lines = content.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      rejected.push({ line, reason: `bad JSON: ${(err as Error).message}` });
      return;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      rejected.push({ line, reason: "bad JSON: the line is not a JSON object" });
      return;
    }
    for (const k of Object.keys(value)) {
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
    }
    records.push({ line, values: value as Record<string, unknown> });
  });
  if (records.length === 0 && rejected.length === 0) throw badRequest([{ path: "file", message: "the file is empty: JSONL needs one JSON object per line" }]);
  return { format: "jsonl", columns, records, rejected };
}

export function parseImportFile(content: string, format: ImportFormat): ParsedFile {
  return format === "csv" ? parseCsvFile(content) : parseJsonlFile(content);
}

function asText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return null;
}

/**
 * Picks the label and text fields (given, or guessed from the names) and checks every record.
 * Labels are trimmed; texts are kept as they are but must not be blank.
 */
export function checkImport(file: ParsedFile, wanted: { label?: string; text?: string }): CheckedImport {
  const guess = guessColumns(file.columns);
  const pick = (name: string | undefined, field: "label" | "text") => {
    if (!name) return guess[field];
    if (!file.columns.includes(name)) {
      throw badRequest([{ path: field === "label" ? "labelColumn" : "textColumn", message: `"${name}" is not a field of the file (it has: ${file.columns.join(", ")})` }]);
    }
    return name;
  };
  const label = pick(wanted.label, "label");
  const text = pick(wanted.text, "text");
  if (label && label === text) throw badRequest([{ path: "textColumn", message: "the label and text fields must differ" }]);
  const rejected = [...file.rejected];
  const rows: CheckedImport["rows"] = [];
  if (label && text) {
    for (const r of file.records) {
      const l = r.values[label];
      const x = r.values[text];
      const lt = asText(l)?.trim();
      if (!lt) {
        rejected.push({ line: r.line, reason: l !== undefined && l !== null && lt === undefined ? `label is not text or a number` : "missing label" });
        continue;
      }
      const xt = asText(x);
      if (xt === null && x !== undefined && x !== null) {
        rejected.push({ line: r.line, reason: "text is not a string" });
        continue;
      }
      if (!xt || xt.trim() === "") {
        rejected.push({ line: r.line, reason: "empty text" });
        continue;
      }
      rows.push({ line: r.line, label: lt, text: xt });
    }
  }
  rejected.sort((a, b) => a.line - b.line);
  return { format: file.format, columns: file.columns, label, text, rows, rejected };
}

/** A table of that name (any letter case) exists, in public or as the product's own. */
async function tableExists(db: PrismaClient, name: string): Promise<boolean> {
  const rows = await db.$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public' AND lower(table_name) = lower(${name})`;
  return Number(rows[0]?.n ?? 0) > 0;
}

export async function checkNewTableName(db: PrismaClient, raw: unknown): Promise<string> {
  const parsed = tableNameSchema.safeParse(raw);
  if (!parsed.success) throw badRequest([{ path: "table", message: parsed.error.issues[0]?.message ?? "is not a valid name" }]);
  if (await tableExists(db, parsed.data)) throw badRequest([{ path: "table", message: `a table named "${parsed.data}" already exists: choose another name` }]);
  return parsed.data;
}

const INSERT_BATCH = 5000;

/** Creates public.<name> (id serial, label text, text text) and inserts the rows, all in one transaction. */
export async function createLabelledTable(db: PrismaClient, name: string, rows: { label: string; text: string }[]): Promise<number> {
  if (rows.length === 0) throw badRequest([{ path: "file", message: "no line of the file is usable, so no table was created" }]);
  const ident = `public.${quoteIdent(name)}`;
  try {
    await db.$transaction(
      async (tx) => {
        await tx.$executeRawUnsafe(`CREATE TABLE ${ident} (id serial PRIMARY KEY, label text NOT NULL, text text NOT NULL)`);
        for (let start = 0; start < rows.length; start += INSERT_BATCH) {
          const batch = rows.slice(start, start + INSERT_BATCH);
          const params: string[] = [];
          const values = batch.map((r) => {
            params.push(r.label, r.text);
            return `($${params.length - 1}, $${params.length})`;
          });
          await tx.$executeRawUnsafe(`INSERT INTO ${ident} (label, text) VALUES ${values.join(", ")}`, ...params);
        }
        await tx.$executeRawUnsafe(`ANALYZE ${ident}`);
      },
      { timeout: 300_000, maxWait: 10_000 },
    );
  } catch (err) {
    const msg = (err as Error).message ?? "";
    if (/already exists|42P07/.test(msg)) throw badRequest([{ path: "table", message: `a table named "${name}" already exists: choose another name` }]);
    if (/invalid byte sequence|\\u0000|0x00/.test(msg)) throw new HttpError(400, `The file holds text PostgreSQL cannot store (a NUL character); nothing was created`, [{ path: "file", message: "holds a NUL character" }]);
    throw err;
  }
  return rows.length;
}

export interface ImportSummary {
  format: ImportFormat;
  columns: string[];
  label: string | null;
  text: string | null;
  /** lines accepted */
  accepted: number;
  rejected: RejectedLine[];
  /** rejected lines in all (the list stops at REJECTED_LISTED) */
  rejectedCount: number;
  preview: { line: number; label: string; text: string }[];
  distribution: { label: string; count: number }[];
}

export const REJECTED_LISTED = 1000;

export function summarise(c: CheckedImport): ImportSummary {
  const counts = new Map<string, number>();
  for (const r of c.rows) counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
  return {
    format: c.format,
    columns: c.columns,
    label: c.label,
    text: c.text,
    accepted: c.rows.length,
    rejected: c.rejected.slice(0, REJECTED_LISTED),
    rejectedCount: c.rejected.length,
    preview: c.rows.slice(0, 10).map((r) => ({ ...r, text: r.text.length > 400 ? `${r.text.slice(0, 400)}…` : r.text })),
    distribution: [...counts].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label)).slice(0, 100),
  };
}

const importFields = z.object({
  table: z.string().optional(),
  labelColumn: z.string().trim().min(1).optional(),
  textColumn: z.string().trim().min(1).optional(),
  format: z.enum(["csv", "jsonl"], { error: 'must be "csv" or "jsonl"' }).optional(),
  dryRun: z.enum(["true", "false", "1", "0"]).optional(),
});

/**
 * The import endpoint's work, from a multipart form: file, and optionally table, labelColumn,
 * textColumn, format, dryRun. A dry run (or no table name) only reports; otherwise the table is
 * created when at least one line is usable.
 */
export async function importFromForm(db: PrismaClient, form: FormData): Promise<ImportSummary & { created: null | { table: string; rows: number } }> {
  const file = form.get("file");
  if (!(file instanceof Blob) || file.size === 0) throw badRequest([{ path: "file", message: "choose a non-empty CSV or JSONL file to upload" }]);
  if (file.size > MAX_IMPORT_BYTES) throw tooLarge(file.size);
  const fields = importFields.safeParse(Object.fromEntries([...form.entries()].filter(([k, v]) => k !== "file" && typeof v === "string" && v !== "")));
  if (!fields.success) throw badRequest(fields.error.issues.map((i) => ({ path: i.path.join(".") || "(body)", message: i.message })));
  const content = await file.text();
  const fileName = (file as File).name ?? "";
  const format = fields.data.format ?? detectFormat(fileName, content);
  const checked = checkImport(parseImportFile(content, format), { label: fields.data.labelColumn, text: fields.data.textColumn });
  const summary = summarise(checked);
  const dryRun = fields.data.dryRun === "true" || fields.data.dryRun === "1" || !fields.data.table;
  if (dryRun) return { ...summary, created: null };
  const name = await checkNewTableName(db, fields.data.table);
  if (checked.columns.length === 0) {
    throw badRequest([{ path: "file", message: `no line of the file could be read (${checked.rejected.length} rejected), so no table was created` }]);
  }
  if (!checked.label || !checked.text) {
    throw badRequest([{ path: checked.label ? "textColumn" : "labelColumn", message: `choose which field of the file holds the ${checked.label ? "text" : "label"} (fields: ${checked.columns.join(", ")})` }]);
  }
  const rows = await createLabelledTable(db, name, checked.rows);
  return { ...summary, created: { table: name, rows } };
}

export function tooLarge(bytes: number): HttpError {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  return new HttpError(413, `The file is ${mb(bytes)}; imports are limited to ${mb(MAX_IMPORT_BYTES)}. Split it into smaller files, or load it with SQL.`, [
    { path: "file", message: `is larger than ${mb(MAX_IMPORT_BYTES)}` },
  ]);
}
