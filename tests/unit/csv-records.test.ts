import assert from "node:assert/strict";
import { test } from "node:test";
import { csvRecords, type CsvRecord } from "../../lib/data/csv-records";

// The streaming CSV reader: RFC 4180 quoting, "\n" and "\r\n" in one file, records split across
// chunks anywhere, errors reported on the record's first line, and limits that cut a record short.

async function read(text: string, chunkSize = text.length || 1, limits = { maxRecordChars: 1000, maxFields: 10 }): Promise<CsvRecord[]> {
  async function* chunks() {
    for (let i = 0; i < text.length; i += chunkSize) yield text.slice(i, i + chunkSize);
  }
  const out: CsvRecord[] = [];
  for await (const batch of csvRecords(chunks(), limits)) out.push(...batch);
  return out;
}

const SAMPLE = 'label,text\r\nham,plain\n"spam","a ""quoted"", comma"\r\n\nham,"two\r\nlines"\nham,last';
const EXPECTED: CsvRecord[] = [
  { line: 1, fields: ["label", "text"] },
  { line: 2, fields: ["ham", "plain"] },
  { line: 3, fields: ["spam", 'a "quoted", comma'] },
  { line: 5, fields: ["ham", "two\r\nlines"] },
  { line: 7, fields: ["ham", "last"] },
];

test("CRLF header, LF rows, quotes, an empty line and a quoted newline, at every chunk size", async () => {
  for (let size = 1; size <= SAMPLE.length; size++) assert.deepEqual(await read(SAMPLE, size), EXPECTED, `chunks of ${size}`);
});

test("bad quoting is an error on the record's line; reading resumes on the next line", async () => {
  assert.deepEqual(await read('a,b\n"x"y,z\nc,d\n'), [
    { line: 1, fields: ["a", "b"] },
    { line: 2, error: "bad CSV: a closing quote must be followed by a comma or the end of the line" },
    { line: 3, fields: ["c", "d"] },
  ]);
  assert.deepEqual(await read('a,b\nc,"never closed\n'), [{ line: 1, fields: ["a", "b"] }, { line: 2, error: "bad CSV: a quoted field is never closed" }]);
  assert.deepEqual(await read('a,say "hi"\n'), [{ line: 1, fields: ["a", 'say "hi"'] }], "a quote inside an unquoted field is kept");
});

test("limits: too many fields, too long a record", async () => {
  const limits = { maxRecordChars: 20, maxFields: 3 };
  assert.deepEqual(await read("a,b,c,d,e\nx,y\n", 4, limits), [{ line: 1, error: "more than 3 fields" }, { line: 2, fields: ["x", "y"] }]);
  assert.deepEqual(await read(`${"z".repeat(50)}\nx,y`, 7, limits), [{ line: 1, error: "line longer than 20 characters" }, { line: 2, fields: ["x", "y"] }]);
  assert.deepEqual((await read(`x,"${"q\n".repeat(30)}`, 5, limits))[0], {
    line: 1,
    error: "line longer than 20 characters (a quoted field that is never closed?)",
  });
});
