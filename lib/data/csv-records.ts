// A streaming CSV reader (RFC 4180: "," between fields, "\n" or "\r\n" after records, quoted
// fields with "" for a quote) that looks at each character once, whatever the file holds: no
// delimiter auto-detection, no re-scan, no per-record info objects. A record that breaks the rules
// (bad quoting, too long, too many fields) is reported as an error with its first line, and reading
// resumes at the next line. A quote inside an unquoted field is kept as it is.

export type CsvRecord = { line: number; fields: string[] } | { line: number; error: string };

export interface CsvLimits {
  /** characters of one record (its fields together) */
  maxRecordChars: number;
  /** fields of one record */
  maxFields: number;
}

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  /** a quote inside a quoted field: either the closing one or the first of "" */
  QuoteInQuoted,
  /** "\r" after a closing quote: "\n" must follow */
  QuoteCR,
  /** after an error: ignore everything up to the end of the line */
  SkipLine,
}

/** The records of the file, one array per chunk read. */
export async function* csvRecords(chunks: AsyncIterable<string>, limits: CsvLimits): AsyncGenerator<CsvRecord[]> {
  let state = State.FieldStart;
  let line = 1;
  let recordLine = 1;
  let fields: string[] = [];
  let field = "";
  let recordChars = 0;
  let error = "";
  let out: CsvRecord[] = [];

  const endField = (quoted: boolean) => {
    if (!quoted && field.endsWith("\r")) field = field.slice(0, -1);
    fields.push(field);
    recordChars += field.length;
    field = "";
  };
  const endRecord = () => {
    // an empty line is no record
    if (!(fields.length === 1 && fields[0] === "")) out.push({ line: recordLine, fields });
    fields = [];
    recordChars = 0;
  };
  const fail = (reason: string): State => {
    error = reason;
    fields = [];
    field = "";
    recordChars = 0;
    return State.SkipLine;
  };

  for await (const chunk of chunks) {
    let start = 0; // where the current field's text begins in this chunk
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === LF) line++;
      switch (state) {
        case State.SkipLine:
          if (c === LF) {
            out.push({ line: recordLine, error });
            recordLine = line;
            state = State.FieldStart;
          }
          continue;
        case State.FieldStart:
          if (c === QUOTE) {
            state = State.Quoted;
            start = i + 1;
            continue;
          }
          start = i;
          state = State.Unquoted;
        // falls through: the character begins an unquoted field
        case State.Unquoted:
          if (c === COMMA || c === LF) {
            field += chunk.slice(start, i);
            endField(false);
            if (c === LF) {
              endRecord();
              recordLine = line;
            }
            state = State.FieldStart;
          }
          break;
        case State.Quoted:
          if (c === QUOTE) {
            field += chunk.slice(start, i);
            state = State.QuoteInQuoted;
          }
          break;
        case State.QuoteInQuoted:
          if (c === QUOTE) {
            field += '"';
            start = i + 1;
            state = State.Quoted;
          } else if (c === COMMA) {
            endField(true);
            state = State.FieldStart;
          } else if (c === LF) {
            endField(true);
            endRecord();
            recordLine = line;
            state = State.FieldStart;
          } else if (c === CR) {
            state = State.QuoteCR;
          } else {
            state = fail("bad CSV: a closing quote must be followed by a comma or the end of the line");
          }
          break;
        case State.QuoteCR:
          if (c === LF) {
            endField(true);
            endRecord();
            recordLine = line;
            state = State.FieldStart;
          } else {
            state = fail("bad CSV: a closing quote must be followed by a comma or the end of the line");
          }
          break;
      }
      if (state !== State.SkipLine) {
        if (fields.length > limits.maxFields) state = fail(`more than ${limits.maxFields} fields`);
        else if (recordChars + field.length + (state === State.Unquoted || state === State.Quoted ? i - start : 0) > limits.maxRecordChars) {
          state = fail(`line longer than ${limits.maxRecordChars} characters${state === State.Quoted ? " (a quoted field that is never closed?)" : ""}`);
        }
      }
    }
    if (state === State.Unquoted || state === State.Quoted) field += chunk.slice(start);
    if (out.length) {
      yield out;
      out = [];
    }
  }
  // the end of the file ends the last record
  const last = state as State;
  if (last === State.SkipLine) out.push({ line: recordLine, error });
  else if (last === State.Quoted) out.push({ line: recordLine, error: "bad CSV: a quoted field is never closed" });
  else if (last !== State.FieldStart || fields.length > 0) {
    endField(last === State.QuoteInQuoted || last === State.QuoteCR);
    endRecord();
  }
  if (out.length) yield out;
}
