import assert from "node:assert/strict";
import { test } from "node:test";
import { guessSeparator, guessTextColumn, parseCsv, parseCsvRecords, toCsv } from "../../lib/dashboard/csv";

test("plain records, LF and CRLF, no empty record for a trailing line break", () => {
  assert.deepEqual(parseCsvRecords("a,b\n1,2\n"), [["a", "b"], ["1", "2"]]);
  assert.deepEqual(parseCsvRecords("a,b\r\n1,2\r\n3,4"), [["a", "b"], ["1", "2"], ["3", "4"]]);
  assert.deepEqual(parseCsvRecords("a,,c\n,,"), [["a", "", "c"], ["", "", ""]]);
});

test("quoted fields hold separators, line breaks and doubled quotes", () => {
  assert.deepEqual(parseCsvRecords('id,text\n1,"hello, world"\n2,"two\nlines"\n3,"say ""hi"""\n'), [
    ["id", "text"],
    ["1", "hello, world"],
    ["2", "two\nlines"],
    ["3", 'say "hi"'],
  ]);
  assert.deepEqual(parseCsvRecords('"",x'), [["", "x"]]);
  // a quote inside an unquoted field is kept as is
  assert.deepEqual(parseCsvRecords('a"b,c'), [['a"b', "c"]]);
});

test("BOM is dropped; separators are guessed from the header", () => {
  assert.deepEqual(parseCsvRecords("\ufeffa,b\n1,2"), [["a", "b"], ["1", "2"]]);
  assert.equal(guessSeparator("a;b;c\n1,5;2;3"), ";");
  assert.equal(guessSeparator("a\tb\n1\t2"), "\t");
  assert.equal(guessSeparator('"x;y",b\n'), ",");
  assert.equal(guessSeparator("single"), ",");
  const t = parseCsv("label;text\nspam;Win now, free\n\nham;See you\n");
  assert.equal(t.separator, ";");
  assert.deepEqual(t.header, ["label", "text"]);
  assert.deepEqual(t.rows, [["spam", "Win now, free"], ["ham", "See you"]]);
});

test("short rows are padded; the text column is guessed by name, then by length", () => {
  const t = parseCsv("id,body,extra\n1,hello there\n");
  assert.deepEqual(t.rows, [["1", "hello there", ""]]);
  assert.equal(guessTextColumn(t), 1);
  assert.equal(guessTextColumn(parseCsv("a,b\n1,a much longer value\n2,another long value")), 1);
  assert.equal(guessTextColumn(parseCsv("")), -1);
});

test("toCsv quotes what needs quoting and parseCsvRecords reads it back", () => {
  const rows = [
    ["text", "label", "score"],
    ['say "hi", then\nleave', "spam", 0.125],
    [" padded ", "", null],
    ["plain", "ham", 1e-7],
  ];
  const text = toCsv(rows);
  assert.equal(text.split("\r\n")[0], "text,label,score");
  assert.ok(text.includes('"say ""hi"", then\nleave"'));
  assert.ok(text.endsWith("\r\n"));
  assert.deepEqual(parseCsvRecords(text), [
    ["text", "label", "score"],
    ['say "hi", then\nleave', "spam", "0.125"],
    [" padded ", "", ""],
    ["plain", "ham", "1e-7"],
  ]);
});
