import { z } from "zod";
import { bulkExecute } from "../db/bulk-statement";
import type { PrismaClient } from "../db/generated/client";
import { quoteIdent } from "../db/catalog";
import { AppError, badRequest } from "../errors";
import type { Upload } from "../http-upload";
import { MAX_IMPORT_BYTES, TABLE_NAME, tableNameSchema } from "../validations/import";
import { detectFormat, listFields, parseImportFile, pickFields, type ImportFormat, type ParsedFile, type RejectedLine } from "./import-parse";

// Import of a CSV or JSONL file into a new labelled-text table (id serial, label text, text text):
// parse, pick the label and text fields, check every line (rejected lines are reported with their
// line number and why), then create the table and insert every accepted row in one transaction.
// The file arrives on disk (lib/http-upload.ts) and is parsed as a stream (./import-parse.ts).

export type { ImportFormat, ParsedFile, RejectedLine };
export { MAX_IMPORT_BYTES, TABLE_NAME, tableNameSchema };

export interface CheckedImport {
  format: ImportFormat;
  columns: string[];
  label: string | null;
  text: string | null;
  rows: { line: number; label: string; text: string }[];
  rejected: RejectedLine[];
  /** the accepted lines' repeated texts (counted before `dedupe` leaves any out) */
  duplicates: DuplicateTexts;
  /** accepted lines left out because an earlier line has the same text (`dedupe` only) */
  deduplicated: number;
}

/** Texts that more than one accepted line holds (the same text exactly, whatever the labels). */
export interface DuplicateTexts {
  /** distinct texts held by more than one line */
  texts: number;
  /** lines that repeat an earlier line's text */
  repeatedLines: number;
  /** of `texts`, those whose lines carry different labels */
  conflicting: number;
  /** the first DUPLICATES_LISTED such texts (cut at 200 characters), with up to 10 of their lines and their labels */
  examples: { text: string; lines: number[]; labels: string[] }[];
}

export const DUPLICATES_LISTED = 20;

/** Which lines repeat an earlier line's text, and what the repeated texts are. */
export function findDuplicateTexts(rows: CheckedImport["rows"]): { duplicates: DuplicateTexts; repeats: Set<number> } {
  const first = new Map<string, number>();
  const groups = new Map<number, { lines: number[]; labels: Set<string> }>();
  const repeats = new Set<number>();
  rows.forEach((r, i) => {
    const f = first.get(r.text);
    if (f === undefined) {
      first.set(r.text, i);
      return;
    }
    repeats.add(i);
    let g = groups.get(f);
    if (!g) groups.set(f, (g = { lines: [rows[f].line], labels: new Set([rows[f].label]) }));
    if (g.lines.length < 10) g.lines.push(r.line);
    g.labels.add(r.label);
  });
  const all = [...groups];
  const duplicates: DuplicateTexts = {
    texts: all.length,
    repeatedLines: repeats.size,
    conflicting: all.filter(([, g]) => g.labels.size > 1).length,
    examples: all.slice(0, DUPLICATES_LISTED).map(([f, g]) => ({
      text: rows[f].text.length > 200 ? `${rows[f].text.slice(0, 200)}…` : rows[f].text,
      lines: g.lines,
      labels: [...g.labels],
    })),
  };
  return { duplicates, repeats };
}

function asText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return null;
}

/**
 * Picks the label and text fields (given, or guessed from the names) and checks every record.
 * Labels are trimmed; texts are kept as they are but must not be blank. Lines repeating an earlier
 * line's text are counted, and with `dedupe` left out (the first line of each text is kept).
 */
export function checkImport(file: ParsedFile, wanted: { label?: string; text?: string }, opts: { dedupe?: boolean } = {}): CheckedImport {
  const { label, text } = pickFields(file.columns, wanted);
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
  const { duplicates, repeats } = findDuplicateTexts(rows);
  const kept = opts.dedupe && repeats.size > 0 ? rows.filter((_, i) => !repeats.has(i)) : rows;
  return { format: file.format, columns: file.columns, label, text, rows: kept, rejected, duplicates, deduplicated: rows.length - kept.length };
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

function nulInFile(line?: number): AppError {
  const where = line ? `line ${line} holds` : "holds";
  return new AppError("invalid_request", 400, `The file holds text PostgreSQL cannot store (${where} a NUL character); nothing was created`, [
    { path: "file", message: `${where} a NUL character` },
  ]);
}

/** Creates public.<name> (id serial, label text, text text) and inserts the rows, all in one transaction. */
export async function createLabelledTable(db: PrismaClient, name: string, rows: { line?: number; label: string; text: string }[]): Promise<number> {
  if (rows.length === 0) throw badRequest([{ path: "file", message: "no line of the file is usable, so no table was created" }]);
  const withNul = rows.find((r) => r.label.includes("\u0000") || r.text.includes("\u0000"));
  if (withNul) throw nulInFile(withNul.line);
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
          await bulkExecute(tx, `INSERT INTO ${ident} (label, text) VALUES ${values.join(", ")}`, ...params);
        }
        await tx.$executeRawUnsafe(`ANALYZE ${ident}`);
      },
      { timeout: 300_000, maxWait: 10_000 },
    );
  } catch (err) {
    const msg = (err as Error).message ?? "";
    if (/already exists|42P07/.test(msg)) throw badRequest([{ path: "table", message: `a table named "${name}" already exists: choose another name` }]);
    if (/invalid byte sequence|\\u0000|0x00/.test(msg)) throw nulInFile();
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
  /** the file's fields that are not imported (the table keeps only the label and text fields) */
  ignoredColumns: string[];
  duplicates: DuplicateTexts;
  /** lines left out by `dedupe` (0 without it) */
  deduplicated: number;
  /** what the user should know before creating the table: ignored fields, repeated texts */
  warnings: string[];
}

export const REJECTED_LISTED = 1000;

const plural = (n: number, one: string, many: string) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/** The summary's warnings, in words. */
export function importWarnings(c: Pick<CheckedImport, "label" | "text" | "duplicates" | "deduplicated">, ignoredColumns: string[]): string[] {
  const out: string[] = [];
  if (c.label && c.text && ignoredColumns.length > 0) {
    out.push(
      `${plural(ignoredColumns.length, "field is", "fields are")} not imported: ${listFields(ignoredColumns)}. The new table keeps only id, label (from "${c.label}") and text (from "${c.text}").`,
    );
  }
  const d = c.duplicates;
  if (d.texts > 0) {
    const labels = d.conflicting > 0 ? `; ${plural(d.conflicting, "of them has", "of them have")} different labels on different lines` : "";
    const what = `${plural(d.texts, "text occurs", "texts occur")} on more than one line (${plural(d.repeatedLines, "repeated line", "repeated lines")}${labels})`;
    out.push(
      c.deduplicated > 0
        ? `${what}: only the first line of each is kept, ${plural(c.deduplicated, "line", "lines")} left out.`
        : `${what}. A run may put copies of one text in both its training and its test rows, which flatters the test score: check again with "keep the first line of each text" to leave the repeats out.`,
    );
  }
  return out;
}

export function summarise(c: CheckedImport): ImportSummary {
  const counts = new Map<string, number>();
  for (const r of c.rows) counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
  const ignoredColumns = c.columns.filter((f) => f !== c.label && f !== c.text);
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
    ignoredColumns,
    duplicates: c.duplicates,
    deduplicated: c.deduplicated,
    warnings: importWarnings(c, ignoredColumns),
  };
}

const importFields = z.object({
  table: z.string().optional(),
  labelColumn: z.string().trim().min(1).optional(),
  textColumn: z.string().trim().min(1).optional(),
  format: z.enum(["csv", "jsonl"], { error: 'must be "csv" or "jsonl"' }).optional(),
  dryRun: z.enum(["true", "false", "1", "0"], { error: 'must be "true" or "false"' }).optional(),
  dedupe: z.enum(["true", "false", "1", "0"], { error: 'must be "true" or "false"' }).optional(),
});

const yes = (v: string | undefined) => v === "true" || v === "1";

/**
 * The import endpoint's work, from a received multipart upload: file, and optionally table,
 * labelColumn, textColumn, format, dryRun, dedupe. A dry run (or no table name) only reports;
 * otherwise the table is created when at least one line is usable. Fields other than the label
 * and text are not imported, and lines repeating a text are kept unless `dedupe`: both are named
 * in `warnings`.
 */
export async function importUpload(db: PrismaClient, upload: Upload): Promise<ImportSummary & { created: null | { table: string; rows: number } }> {
  const { file } = upload;
  if (!file || file.bytes === 0) throw badRequest([{ path: "file", message: "choose a non-empty CSV or JSONL file to upload" }]);
  const fields = importFields.safeParse(Object.fromEntries(Object.entries(upload.fields).filter(([, v]) => v !== "")));
  if (!fields.success) throw badRequest(fields.error.issues.map((i) => ({ path: i.path.join(".") || "(body)", message: i.message })));
  const format = fields.data.format ?? (await detectFormat(file.name, file.path));
  const wanted = { label: fields.data.labelColumn, text: fields.data.textColumn };
  const checked = checkImport(await parseImportFile(file.path, format, wanted), wanted, { dedupe: yes(fields.data.dedupe) });
  const summary = summarise(checked);
  const dryRun = yes(fields.data.dryRun) || !fields.data.table;
  if (dryRun) return { ...summary, created: null };
  const name = await checkNewTableName(db, fields.data.table);
  if (checked.columns.length === 0) {
    throw badRequest([{ path: "file", message: `no line of the file could be read (${checked.rejected.length} rejected), so no table was created` }]);
  }
  if (!checked.label || !checked.text) {
    throw badRequest([{ path: checked.label ? "textColumn" : "labelColumn", message: `choose which field of the file holds the ${checked.label ? "text" : "label"} (fields: ${listFields(checked.columns)})` }]);
  }
  const rows = await createLabelledTable(db, name, checked.rows);
  return { ...summary, created: { table: name, rows } };
}

/** The 413 of an upload over the limit (whether Content-Length said so or the stream ran past it). */
export function fileTooLarge(): AppError {
  const mb = `${(MAX_IMPORT_BYTES / 1024 / 1024).toFixed(1)} MB`;
  return new AppError("too_large", 413, `The file is larger than ${mb}; imports are limited to ${mb}. Split it into smaller files, or load it with SQL.`, [
    { path: "file", message: `is larger than ${mb}` },
  ]);
}
