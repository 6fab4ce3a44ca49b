// A small RFC 4180 CSV parser for the Predict page (runs in the browser): quoted fields with ""
// escapes, separators and line breaks inside quotes, CRLF or LF, a leading BOM, and a separator
// guessed from the header (comma, semicolon or tab).

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
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  const endField = () => {
    record.push(field);
    field = "";
  };
  const endRecord = () => {
    endField();
    records.push(record);
    record = [];
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i += 1;
        continue;
      }
      field += c;
      i += 1;
      continue;
    }
    if (c === '"' && field === "") {
      quoted = true;
      i += 1;
    } else if (c === separator) {
      endField();
      i += 1;
    } else if (c === "\r" || c === "\n") {
      endRecord();
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
    } else {
      field += c;
      i += 1;
    }
  }
  if (field !== "" || record.length > 0 || quoted) endRecord();
  return records;
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
