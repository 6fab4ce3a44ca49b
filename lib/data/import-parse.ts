import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { badRequest } from "../errors";
import { guessColumns } from "./columns";
import { csvRecords } from "./csv-records";

// Reading an uploaded CSV or JSONL file from disk as a stream: each chunk is parsed as it arrives,
// so the work is linear in the file's size and other requests are answered between chunks. A
// line (record) longer than MAX_RECORD_CHARS is rejected without being parsed; a header with more
// than MAX_COLUMNS fields, or more than MAX_LINES lines, refuses the file.

export type ImportFormat = "csv" | "jsonl";

export const MAX_RECORD_CHARS = 1024 * 1024;
export const MAX_COLUMNS = 1000;
/** lines read, accepted or not: what one import holds in memory and inserts in one transaction */
export const MAX_LINES = 2_000_000;

function tooManyLines(): Error {
  return badRequest([{ path: "file", message: `the file has more than ${MAX_LINES.toLocaleString("en")} lines; an import takes at most that many: split it` }]);
}

export interface RejectedLine {
  line: number;
  reason: string;
}

export interface ParsedFile {
  format: ImportFormat;
  /** field names (CSV header, or the keys seen in JSONL objects) */
  columns: string[];
  /** every record, as field → value (for CSV only the label and text fields), with its line number */
  records: { line: number; values: Record<string, unknown> }[];
  /** lines that could not be read at all (bad JSON, wrong column count, bad quoting, too long) */
  rejected: RejectedLine[];
}

export interface WantedFields {
  label?: string;
  text?: string;
}

/** The file's field names for a message: the first 20, then "…". */
export function listFields(columns: string[]): string {
  return columns.length > 20 ? `${columns.slice(0, 20).join(", ")}, …` : columns.join(", ");
}

/** The label and text fields: as given (400 naming the form field when the file lacks it), else guessed from the names. */
export function pickFields(columns: string[], wanted: WantedFields): { label: string | null; text: string | null } {
  const guess = guessColumns(columns);
  const pick = (name: string | undefined, field: "label" | "text") => {
    if (!name) return guess[field];
    if (!columns.includes(name)) {
      throw badRequest([{ path: field === "label" ? "labelColumn" : "textColumn", message: `"${name}" is not a field of the file (it has: ${listFields(columns)})` }]);
    }
    return name;
  };
  const label = pick(wanted.label, "label");
  const text = pick(wanted.text, "text");
  if (label && label === text) throw badRequest([{ path: "textColumn", message: "the label and text fields must differ" }]);
  return { label, text };
}

/** From the file name, else from the first non-blank character of the file. */
export async function detectFormat(fileName: string, path: string): Promise<ImportFormat> {
  if (/\.(jsonl|ndjson|json)$/i.test(fileName)) return "jsonl";
  if (/\.(csv|tsv|txt)$/i.test(fileName)) return "csv";
  const handle = await open(path, "r");
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    return buffer.subarray(0, bytesRead).toString("utf8").replace(/^\uFEFF/, "").trimStart().startsWith("{") ? "jsonl" : "csv";
  } finally {
    await handle.close();
  }
}

function tooManyColumns(n: number, line: number) {
  return badRequest([{ path: "file", message: `line ${line} has ${n} fields; an import takes at most ${MAX_COLUMNS}` }]);
}

async function parseCsvFile(path: string, wanted: WantedFields): Promise<ParsedFile> {
  const rejected: RejectedLine[] = [];
  const records: ParsedFile["records"] = [];
  let header: string[] | null = null;
  let keep: number[] = [];
  const source = createReadStream(path, { encoding: "utf8" });
  try {
    for await (const batch of csvRecords(source, { maxRecordChars: MAX_RECORD_CHARS, maxFields: MAX_COLUMNS })) {
      if (records.length + rejected.length > MAX_LINES) throw tooManyLines();
      for (const r of batch) {
        if (!header) {
          if ("error" in r) throw badRequest([{ path: "file", message: `the header line (line ${r.line}): ${r.error}` }]);
          header = r.fields.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, "") : h).trim());
          if (header.some((h) => h === "")) throw badRequest([{ path: "file", message: `the header line (line ${r.line}) has an empty column name` }]);
          if (new Set(header).size !== header.length) throw badRequest([{ path: "file", message: "the header line names a column twice" }]);
          const { label, text } = pickFields(header, wanted);
          keep = [label, text].filter((f): f is string => f !== null).map((f) => header!.indexOf(f));
        } else if ("error" in r) {
          rejected.push({ line: r.line, reason: r.error });
        } else if (r.fields.length !== header.length) {
          rejected.push({ line: r.line, reason: `wrong column count: expected ${header.length}, got ${r.fields.length}` });
        } else {
          records.push({ line: r.line, values: Object.fromEntries(keep.map((i) => [header![i], r.fields[i]])) });
        }
      }
    }
  } finally {
    source.destroy();
  }
  if (!header) throw badRequest([{ path: "file", message: "the file is empty: a CSV needs a header line and at least one row" }]);
  return { format: "csv", columns: header, records, rejected };
}

/** The file's lines, split as chunks arrive; a line over `max` characters comes as null (its text dropped as it streams). */
async function* lines(chunks: AsyncIterable<string>, max: number): AsyncGenerator<string | null> {
  let partial = "";
  let overflow = false;
  for await (const chunk of chunks) {
    let start = 0;
    for (let nl = chunk.indexOf("\n"); nl !== -1; nl = chunk.indexOf("\n", start)) {
      const piece = chunk.slice(start, nl);
      yield overflow || partial.length + piece.length > max ? null : partial + piece;
      partial = "";
      overflow = false;
      start = nl + 1;
    }
    if (!overflow) partial += chunk.slice(start);
    if (partial.length > max) {
      overflow = true;
      partial = "";
    }
  }
  if (overflow) yield null;
  else if (partial !== "") yield partial;
}

function addColumns(value: object, columns: string[], seen: Set<string>, line: number) {
  for (const k of Object.keys(value)) {
    if (seen.has(k)) continue;
    if (seen.size >= MAX_COLUMNS) throw tooManyColumns(seen.size + 1, line);
    seen.add(k);
    columns.push(k);
  }
}

async function parseJsonlFile(path: string): Promise<ParsedFile> {
  const rejected: RejectedLine[] = [];
  const records: ParsedFile["records"] = [];
  const columns: string[] = [];
  const seen = new Set<string>();
  let line = 0;
  for await (let raw of lines(createReadStream(path, { encoding: "utf8" }), MAX_RECORD_CHARS)) {
    if (++line > MAX_LINES) throw tooManyLines();
    if (raw === null) {
      rejected.push({ line, reason: `line longer than ${MAX_RECORD_CHARS} characters` });
      continue;
    }
    if (line === 1) raw = raw.replace(/^\uFEFF/, "");
    if (raw.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      rejected.push({ line, reason: `bad JSON: ${(err as Error).message.slice(0, 200)}` });
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      rejected.push({ line, reason: "bad JSON: the line is not a JSON object" });
      continue;
    }
    addColumns(value, columns, seen, line);
    records.push({ line, values: value as Record<string, unknown> });
  }
  if (records.length === 0 && rejected.length === 0) throw badRequest([{ path: "file", message: "the file is empty: JSONL needs one JSON object per line" }]);
  return { format: "jsonl", columns, records, rejected };
}

/** Parses the file at `path`, streamed. For CSV, only the label and text fields of each record are kept. */
export function parseImportFile(path: string, format: ImportFormat, wanted: WantedFields): Promise<ParsedFile> {
  return format === "csv" ? parseCsvFile(path, wanted) : parseJsonlFile(path);
}
