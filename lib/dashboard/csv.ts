// CSV for the Predict page (runs in the browser): csv-parse's browser build reads the records
// (RFC 4180 quoting, CRLF or LF, a leading BOM); this adds the separator guessed from the header
// (comma, semicolon or tab), blank lines dropped, short rows padded, and the text column guessed.

import { parse } from "csv-parse/browser/esm/sync";

export type CsvSeparator = "," | ";" | "\t";

export interface CsvTable {
  header: string[];
  rows: string[][];
  separator: CsvSeparator;
}

/** The separator that occurs most often, outside quotes, on the first line (comma on a tie). */
export function guessSeparator(text: string): CsvSeparator {
  const counts: Record<CsvSeparator, number> = { ",": 0, ";": 0, "\t": 0 };
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === "\n" || c === "\r")) break;
    else if (!quoted && (c === "," || c === ";" || c === "\t")) counts[c] += 1;
  }
  let best: CsvSeparator = ",";
  for (const s of [";", "\t"] as const) if (counts[s] > counts[best]) best = s;
  return best;
}

/** Every record as an array of fields; a trailing line break adds no empty record. */
export function parseCsvRecords(input: string, separator: CsvSeparator = ","): string[][] {
  return parse(input, {
    delimiter: separator,
    bom: true,
    // Short or long rows are padded or kept by parseCsv; a quote inside an unquoted field is kept as is.
    relax_column_count: true,
    relax_quotes: true,
  }) as string[][];
}

/** Header and rows; blank lines are dropped, short rows are padded with "". */
export function parseCsv(text: string, separator: CsvSeparator = guessSeparator(text)): CsvTable {
  const records = parseCsvRecords(text, separator).filter((r) => !(r.length === 1 && r[0]!.trim() === ""));
  const header = (records[0] ?? []).map((h) => h.trim());
  const rows = records.slice(1).map((r) => (r.length < header.length ? [...r, ...Array<string>(header.length - r.length).fill("")] : r));
  return { header, rows, separator };
}

/** The header column most likely to hold the text: named like text/body/review/message, else the one with the longest values. */
export function guessTextColumn(table: CsvTable): number {
  if (table.header.length === 0) return -1;
  const named = table.header.findIndex((h) => /^(text|body|content|review|message|comment|sentence|input|inputs)$/i.test(h));
  if (named >= 0) return named;
  let best = 0;
  let bestLen = -1;
  table.header.forEach((_, j) => {
    const sample = table.rows.slice(0, 50);
    const len = sample.reduce((s, r) => s + (r[j]?.length ?? 0), 0);
    if (len > bestLen) {
      best = j;
      bestLen = len;
    }
  });
  return best;
}

/** One CSV field's value: text as is, numbers in full precision, null/undefined as an empty field. */
export type CsvValue = string | number | boolean | null | undefined;

function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * RFC 4180 text (what parseCsvRecords reads back): CRLF after every record; a field holding a
 * comma, a quote, a line break or leading/trailing white space is quoted, its quotes doubled.
 */
export function toCsv(rows: CsvValue[][]): string {
  return rows.map((r) => r.map(csvField).join(",") + "\r\n").join("");
}
