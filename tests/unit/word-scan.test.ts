import { test } from "node:test";
import assert from "node:assert/strict";
import { loadCorpus } from "../../lib/data/demo-table";
import { fastWordPiece } from "../../lib/tokenizers/fast-wordpiece";
import { bertNormalize, bertPreTokenize, buildTokenizer, countWords, WordCounter, type Casing } from "../../lib/training/tokenizer-builder";
import { IdBuffer, scanWords, WordTable } from "../../lib/training/word-scan";
import { mulberry32 } from "../../lib/training/rng";

// The word scan (lib/training/word-scan.ts) against the normaliser's and pre-tokeniser's regexes it
// stands in for: the same words, counts and first-seen order when counting, and the same first ids
// when encoding; texts it does not handle are refused, never mis-read.

const demo = loadCorpus().map((e) => e.text);

/** Every ASCII code, printable ones far more often, words of every length around the 50-character limit. */
function randomAscii(rng: () => number): string {
  const n = Math.floor(rng() * 120);
  let s = "";
  for (let i = 0; i < n; i++) {
    const u = rng();
    if (u < 0.02) s += String.fromCharCode(Math.floor(rng() * 128));
    else if (u < 0.2) s += " \t\n\r"[Math.floor(rng() * 4)];
    else if (u < 0.3) s += "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"[Math.floor(rng() * 32)];
    else if (u < 0.32) s += "x".repeat(45 + Math.floor(rng() * 70));
    else s += "abcdeFGHIJklm0123456789XYZqrs"[Math.floor(rng() * 29)];
  }
  return s;
}

/** The regex path alone: what countWords did before the scan. */
function regexCounts(texts: string[], casing: Casing): [string, number][] {
  const m = new Map<string, number>();
  for (const t of texts) for (const w of bertPreTokenize(bertNormalize(t, casing))) m.set(w, (m.get(w) ?? 0) + 1);
  return [...m];
}

const rng = mulberry32(3);
const ascii = Array.from({ length: 4000 }, () => randomAscii(rng));
const mixed = [...demo.slice(0, 1500), ...ascii, "", " ", "\t\r\n", "ABC abc Abc", "a\u0001b c\u007fd", "café CAFÉ", "x".repeat(120), "[CLS] a [SEP]"];

for (const casing of [{ lowercase: true, stripAccents: false }, { lowercase: false, stripAccents: false }, { lowercase: true, stripAccents: true }]) {
  test(`WordCounter and countWords: the regex path's words, counts and first-seen order (${JSON.stringify(casing)})`, () => {
    const want = regexCounts(mixed, casing);
    const got = new WordCounter(casing).add(mixed.slice(0, 1000)).add(mixed.slice(1000)).result();
    assert.deepEqual(got.words.map((w, i) => [w, got.counts[i]]), want);
    assert.deepEqual([...countWords(mixed, casing)], want);
    // adding to a map that holds words already: they keep their place, new ones follow in order
    const start = new Map([["zzz-first", 7], [want[5][0], 1]]);
    const added = [...countWords(mixed, casing, start)];
    assert.deepEqual(added[0], ["zzz-first", 7]);
    assert.deepEqual(added[1], [want[5][0], want[5][1] + 1]);
    assert.equal(added.length, want.length + 1);
  });
}

test("scanWords: refuses a non-ASCII or control character before it stops, and stops after maxWords words", () => {
  const table = new WordTable(true);
  const out = new IdBuffer();
  assert.equal(scanWords("hello wörld", table, out), -1);
  assert.equal(scanWords("a\u0001b", table, out), -1);
  assert.equal(scanWords("one two\u00e9", table, out, 1), 1, "the words after the first do not matter");
  assert.equal(scanWords("One, TWO three", table, out), 4);
  assert.deepEqual([...out.ids.subarray(0, 4)].map((id) => table.words[id]), ["one", ",", "two", "three"]);
  assert.equal(scanWords("one two three four", table, out, 2), 2);
  // the table grows past its first slots and finds every word again by its range and by its string
  const many = Array.from({ length: 5000 }, (_, i) => `w${i}`);
  assert.equal(scanWords(many.join(" "), table, out), 5000);
  const ids = [...out.ids.subarray(0, 5000)];
  assert.equal(new Set(ids).size, 5000);
  assert.deepEqual(many.map((w) => table.idOf(w)), ids);
});

test("encodeFirst: the first maxLength ids of encode for every text it takes (ASCII, no control, no added token); null for the others", () => {
  const built = buildTokenizer([...demo.slice(0, 800), ...ascii.slice(0, 500)], { maxLength: 1024, vocabSize: 4000 });
  const fast = fastWordPiece(built.tokenizer)!;
  const texts = [...demo, ...ascii, "[CLS] hi", "hi [MASK]", "a\u000bb", "plain text", ""];
  let taken = 0;
  for (const text of texts) {
    const all = fast.encode(text);
    const hasAdded = /\[(PAD|UNK|CLS|SEP|MASK)\]/.test(text);
    for (const max of [1, 7, 64, 1024]) {
      const got = fast.encodeFirst(text, max);
      if (got === null) {
        assert.ok(/[^\t\n\r\x20-\x7e]/.test(text) || hasAdded, `refused a text it takes: ${JSON.stringify(text.slice(0, 80))}`);
        continue;
      }
      assert.ok(!hasAdded);
      taken++;
      assert.deepEqual([...got], all.slice(0, max), `max ${max}, text ${JSON.stringify(text.slice(0, 80))}`);
    }
  }
  assert.ok(taken > 4 * 4000, `only ${taken} texts took the scan`);
});

test("encodeFirst: the same ids after its table of words fills and is emptied", () => {
  const r = mulberry32(9);
  const words = Array.from({ length: 70_000 }, (_, i) => `w${i.toString(36)}${"abc"[i % 3]}`);
  const texts = Array.from({ length: 3000 }, () => Array.from({ length: 40 }, () => words[Math.floor(r() * words.length)]).join(" "));
  const built = buildTokenizer(texts.slice(0, 1000), { maxLength: 1024, vocabSize: 5000 });
  const fast = fastWordPiece(built.tokenizer)!;
  for (const text of texts) assert.deepEqual([...fast.encodeFirst(text, 30)!], fast.encode(text).slice(0, 30));
});
