import { test } from "node:test";
import assert from "node:assert/strict";
import { blankUtf8, CopyTextReader } from "../../lib/db/copy-text";

// PostgreSQL's COPY text format read as bytes (lib/db/copy-text.ts). The real server's output is
// read in tests/integration/fetch-copy.test.ts; here every way a stream can be cut and escaped.

type Field = string | null;

/** A field as COPY … TO STDOUT writes it (text format): NULL as \N, and these characters escaped. */
function escapeField(f: Field): string {
  if (f === null) return "\\N";
  return f.replace(/[\\\t\n\r\b\f\v]/g, (c) => ({ "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\b": "\\b", "\f": "\\f", "\v": "\\v" })[c]!);
}

const encode = (rows: Field[][]) => Buffer.from(rows.map((r) => r.map(escapeField).join("\t") + "\n").join(""), "utf8");

/** Every row read from `chunks`, as strings. */
function readAll(columns: number, chunks: Buffer[]): Field[][] {
  const reader = new CopyTextReader(columns);
  const out: Field[][] = [];
  for (const c of chunks) reader.feed(c, (row) => out.push(Array.from({ length: columns }, (_, k) => row.text(k))));
  reader.end();
  return out;
}

const ROWS: Field[][] = [
  ["1", "spam", "plain text"],
  ["2", "ham", "tab\there, newline\nthere, return\r, backslash \\ and \\N, \\t as text"],
  ["3", null, "a NULL label"],
  ["4", "ham", null],
  ["5", "", ""],
  ["\\N", "\\", "\\\\"],
  ["7", "日本", "Café 😀 naïve \b\f\v"],
  ["8", " ham ", "   "],
];

test("CopyTextReader: rows and fields as written, escapes undone, NULL told from the text \\N", () => {
  assert.deepEqual(readAll(3, [encode(ROWS)]), ROWS);
});

test("CopyTextReader: the stream cut at every byte (rows and escapes across chunks) reads the same", () => {
  const all = encode(ROWS);
  for (let cut = 0; cut <= all.length; cut++) assert.deepEqual(readAll(3, [all.subarray(0, cut), all.subarray(cut)]), ROWS, `cut at ${cut}`);
  // one byte at a time
  assert.deepEqual(readAll(3, Array.from(all, (b) => Buffer.from([b]))), ROWS);
});

test("CopyTextReader: octal and hex escapes, and any other escaped character standing for itself", () => {
  const raw = Buffer.from("\\101\\7\\x41\\x4a\\xg\\q\\\\\t\\0\\1010\n", "latin1");
  assert.deepEqual(readAll(2, [raw]), [["A\u0007AJxgq\\", "\u0000A0"]]);
});

test("CopyTextReader: escaped fields longer than the scratch buffer, several in one row", () => {
  const big = (c: string) => `${c}\t`.repeat(3000); // 6,000 bytes escaped into 3,000 × 2
  const rows: Field[][] = [[big("a"), big("b"), big("c")], ["x", "y\\", "z"]];
  assert.deepEqual(readAll(3, [encode(rows)]), rows);
});

test("CopyTextReader: rows that are not the shape asked for, and a stream that stops inside a row", () => {
  assert.throws(() => readAll(3, [Buffer.from("1\t2\n")]), /2 fields, expected 3/);
  assert.throws(() => readAll(3, [Buffer.from("1\t2\t3\t4\n")]), /more than 3 fields/);
  assert.throws(() => readAll(2, [Buffer.from("1\t2\n3\t")]), /ended inside a row/);
  assert.throws(() => readAll(1, [Buffer.from("ends with \\\n")]), /lone backslash/);
  assert.throws(() => new CopyTextReader(0), RangeError);
});

test("CopyTextReader: a field lies where it is in the chunk unless it is escaped (no copy)", () => {
  const chunk = encode([["1", "spam", "words"], ["2", "ham", "back\\slash"], ["3", "ham", "after it"], ["4", "spam", "last"]]);
  const reader = new CopyTextReader(3);
  const seen: [string, boolean][] = [];
  reader.feed(chunk, (row) => seen.push([row.text(2)!, row.buf(2) === chunk && chunk.toString("utf8", row.start(2), row.end(2)) === row.text(2)]));
  assert.deepEqual(seen, [["words", true], ["back\\slash", false], ["after it", true], ["last", true]]);
});

test("blankUtf8: whitespace as String.prototype.trim sees it", () => {
  const cases = ["", " ", "\t\n\v\f\r ", "\u00a0", "\u2003\u3000\ufeff", "\u2028", " x ", "\u0001", "\u00a0é", "\u0085", "\u200b"];
  for (let b = 0; b < 128; b++) cases.push(String.fromCharCode(b), ` ${String.fromCharCode(b)} `);
  for (const s of cases) {
    const buf = Buffer.from(`[${s}]`, "utf8");
    assert.equal(blankUtf8(buf, 1, buf.length - 1), s.trim() === "", JSON.stringify(s));
  }
});
