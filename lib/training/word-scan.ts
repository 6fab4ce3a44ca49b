// The words of an ASCII text, as BertNormalizer + BertPreTokenizer give them (./tokenizer-builder.ts),
// found in one pass over its character codes and looked up in a table of words without making a
// string per word. Counting the words for the vocabulary and encoding texts spent most of their time
// in the whole-string regexes, the substring per word and the Map's hashing of it (100,000 texts of
// 100 words: normalise 0.8 s, split 1.1 s, count 1.1 s); the scan does all three at once.
//
// It handles a text only if every character is ASCII and no control character other than \t \n \r
// occurs (the normaliser drops those, joining the pieces of a word around them): then normalising
// is lowercasing A–Z (when the casing lowercases) and reading \t \n \r as spaces, and the words are
// the runs of letters and digits and each ASCII punctuation character on its own (the normaliser's
// other steps, CJK spacing, accents and Unicode classes, change nothing in ASCII). For any other
// text the scan says so and the caller takes the regex path; the tests compare the two over the demo
// e-mails and random ASCII with every control and punctuation character.

import { grown } from "./typed-arrays";

/** Character classes of the 128 ASCII codes. */
const BAD = 0;
const SPACE = 1;
const PUNCT = 2;
const WORD = 3;

const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  CLASS[c] =
    c === 9 || c === 10 || c === 13 || c === 32
      ? SPACE
      : c < 32 || c === 127
        ? BAD
        : (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e)
          ? PUNCT
          : WORD;
}
const LOWER = new Uint8Array(128);
for (let c = 0; c < 128; c++) LOWER[c] = c >= 65 && c <= 90 ? c + 32 : c;
const SAME = new Uint8Array(128);
for (let c = 0; c < 128; c++) SAME[c] = c;

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 16777619;

/**
 * Words (as the normaliser leaves them: lowercased when the table lowercases) and their ids, in the
 * order first added; looked up by a range of a text without slicing it. Open addressing, the hash
 * of each word kept beside it.
 */
export class WordTable {
  readonly words: string[] = [];
  private hashes = new Int32Array(1024);
  /** id + 1 per slot, 0 when empty; the slots are always at most half full */
  private slots = new Int32Array(2048);
  private mask = 2047;
  readonly fold: Uint8Array;

  constructor(readonly lowercase: boolean) {
    this.fold = lowercase ? LOWER : SAME;
  }

  get size(): number {
    return this.words.length;
  }

  /** The id of the word text[s, e) folds to (ASCII only), added if new. */
  idOfRange(text: string, s: number, e: number, h: number): number {
    const fold = this.fold;
    const len = e - s;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const at = this.slots[slot];
      if (at === 0) return this.add(this.lowercase ? text.slice(s, e).toLowerCase() : text.slice(s, e), h, slot);
      const id = at - 1;
      if (this.hashes[id] !== h) continue;
      const w = this.words[id];
      if (w.length !== len) continue;
      let k = 0;
      while (k < len && w.charCodeAt(k) === fold[text.charCodeAt(s + k)]) k++;
      if (k === len) return id;
    }
  }

  /** The id of a word given as a string (as the regex path gives it: already normalised), added if new. */
  idOf(word: string): number {
    let h = FNV_OFFSET;
    for (let k = 0; k < word.length; k++) h = Math.imul(h ^ word.charCodeAt(k), FNV_PRIME);
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const at = this.slots[slot];
      if (at === 0) return this.add(word, h, slot);
      if (this.hashes[at - 1] === h && this.words[at - 1] === word) return at - 1;
    }
  }

  clear(): void {
    this.words.length = 0;
    this.slots.fill(0);
  }

  private add(word: string, h: number, slot: number): number {
    const id = this.words.length;
    if (id === this.hashes.length) this.hashes = grown(this.hashes, id * 2);
    this.words.push(word);
    this.hashes[id] = h;
    this.slots[slot] = id + 1;
    if ((id + 1) * 2 > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.words.length; id++) {
      let slot = this.hashes[id] & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** A text the scan rejects at once: one with a character other than printable ASCII, \t, \n and \r. */
export const UNSCANNABLE = /[^\t\n\r\x20-\x7e]/;

/** A growable buffer of word ids that scanWords writes into. */
export class IdBuffer {
  ids: Int32Array = new Int32Array(256);

  /** The buffer, grown (keeping what it holds) to at least n ids. */
  ensure(n: number): Int32Array {
    if (n > this.ids.length) this.ids = grown(this.ids, Math.max(n, this.ids.length * 2));
    return this.ids;
  }
}

/**
 * The ids in `table` of the first `maxWords` words of `text` (all by default), written to
 * out.ids[0 …); returns how many, or -1 when the text is not one the scan handles (a non-ASCII or
 * control character before the scan stopped), in which case the table may have gained words but
 * nothing else changed.
 */
export function scanWords(text: string, table: WordTable, out: IdBuffer, maxWords = Infinity): number {
  const n = text.length;
  const fold = table.fold;
  let ids = out.ids;
  let count = 0;
  let i = 0;
  while (i < n && count < maxWords) {
    const c = text.charCodeAt(i);
    const cls = c < 128 ? CLASS[c] : BAD;
    if (cls === SPACE) {
      i++;
      continue;
    }
    if (cls === BAD) return -1;
    let end = i + 1;
    let h = Math.imul(FNV_OFFSET ^ fold[c], FNV_PRIME);
    if (cls === WORD) {
      for (; end < n; end++) {
        const d = text.charCodeAt(end);
        if (d >= 128) return -1;
        const k = CLASS[d];
        if (k !== WORD) {
          if (k === BAD) return -1;
          break;
        }
        h = Math.imul(h ^ fold[d], FNV_PRIME);
      }
    }
    if (count === ids.length) ids = out.ensure(count + 1);
    ids[count++] = table.idOfRange(text, i, end, h);
    i = end;
  }
  return count;
}
