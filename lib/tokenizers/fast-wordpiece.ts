// A fast path for the tokenizers the starter model builds (lib/training/tokenizer-builder.ts):
// BertNormalizer + BertPreTokenizer + WordPiece, no post-processor, only the special tokens
// added. It follows transformers.js step for step (split on the added tokens' exact text, then
// normalise, pre-tokenise and run WordPiece's greedy longest match on each word), with a Map
// lookup per word instead of transformers.js's general machinery, and gives the same ids
// (tests/unit/fast-wordpiece.test.ts compares them over the demo table and random Unicode).
// Any other tokenizer.json gets no fast path: transformers.js encodes it.
// The greedy match tries no piece longer than the vocabulary's longest (the starter's vocabulary
// spells an unknown word out in single "##" characters: trying every longer piece first made the
// match quadratic in the word's length), and each encoder remembers the ids of the words it has
// split (words repeat: 1,000 short e-mail texts hold a few thousand distinct ones).
import { bertNormalize, bertPreTokenize, type Casing } from "../training/tokenizer-builder";
import { grown } from "../training/typed-arrays";
import { IdBuffer, scanWords, WordTable } from "../training/word-scan";

export interface FastEncoder {
  /** all of a text's ids, no special tokens added */
  encode(text: string): number[];
  /**
   * The text's first maxLength ids (encode(text) cut there), for a text the word scan handles
   * (lib/training/word-scan.ts: ASCII with no control character, and no added token's text);
   * null for any other, which takes encode.
   */
  encodeFirst(text: string, maxLength: number): Int32Array | null;
}

interface TokenizerJson {
  added_tokens?: { id: number; content: string; single_word?: boolean; lstrip?: boolean; rstrip?: boolean; normalized?: boolean }[];
  normalizer?: { type?: string; clean_text?: boolean; handle_chinese_chars?: boolean; lowercase?: boolean; strip_accents?: boolean | null } | null;
  pre_tokenizer?: { type?: string } | null;
  post_processor?: unknown;
  model?: { type?: string; unk_token?: string; continuing_subword_prefix?: string; max_input_chars_per_word?: number; vocab?: Record<string, number> };
}

/** words whose split an encoder remembers; all are forgotten when it holds more */
const MEMO_WORDS = 50_000;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The fast encoder for a tokenizer.json of that shape, or null for any other. */
export function fastWordPiece(json: unknown): FastEncoder | null {
  const t = json as TokenizerJson;
  const n = t.normalizer;
  const m = t.model;
  const added = t.added_tokens ?? [];
  if (!n || n.type !== "BertNormalizer" || n.clean_text !== true || n.handle_chinese_chars !== true) return null;
  if (t.pre_tokenizer?.type !== "BertPreTokenizer" || (t.post_processor !== null && t.post_processor !== undefined)) return null;
  if (!m || m.type !== "WordPiece" || m.continuing_subword_prefix !== "##" || !m.vocab || m.unk_token === undefined) return null;
  if (added.some((a) => a.normalized !== false || a.lstrip || a.rstrip || a.single_word || a.content === "")) return null;
  const vocab = new Map(Object.entries(m.vocab));
  const unk = vocab.get(m.unk_token);
  if (unk === undefined) return null;
  const lowercase = n.lowercase ?? true;
  const casing: Casing = { lowercase, stripAccents: n.strip_accents === null || n.strip_accents === undefined ? lowercase : n.strip_accents };
  const maxChars = m.max_input_chars_per_word ?? 100;
  const addedIds = new Map(added.map((a) => [a.content, a.id]));
  // transformers.js matches the longest added token first at each position
  const splitter = added.length ? new RegExp(`(${[...addedIds.keys()].sort((a, b) => b.length - a.length).map(escape).join("|")})`) : null;
  // the longest piece, in characters, that can match at a word's start and after it
  let longestStart = 0;
  let longestInner = 0;
  for (const k of vocab.keys()) {
    longestStart = Math.max(longestStart, [...k].length);
    if (k.startsWith("##")) longestInner = Math.max(longestInner, [...k].length - 2);
  }
  const memo = new Map<string, number[]>();

  /** WordPiece's greedy longest match of one word (at most maxChars characters), or null for [UNK]. */
  function pieces(chars: string[]): number[] | null {
    const ids: number[] = [];
    let start = 0;
    while (start < chars.length) {
      let id: number | undefined;
      let end = Math.min(chars.length, start + (start > 0 ? longestInner : longestStart));
      for (; end > start; end--) {
        const sub = chars.slice(start, end).join("");
        id = vocab.get(start > 0 ? "##" + sub : sub);
        if (id !== undefined) break;
      }
      if (id === undefined) return null;
      ids.push(id);
      start = end;
    }
    return ids;
  }

  function word(w: string, out: number[]): void {
    const whole = vocab.get(w);
    if (whole !== undefined && w.length <= maxChars) {
      out.push(whole); // (a word of at most maxChars UTF-16 units has at most maxChars characters)
      return;
    }
    let ids = memo.get(w);
    if (!ids) {
      const chars = [...w];
      ids = chars.length > maxChars ? [unk!] : whole !== undefined ? [whole] : (pieces(chars) ?? [unk!]);
      if (memo.size >= MEMO_WORDS) memo.clear();
      memo.set(w, ids);
    }
    for (const id of ids) out.push(id);
  }

  function section(text: string, out: number[]): void {
    if (text.length === 0) return;
    const normalized = bertNormalize(text, casing);
    if (normalized.length === 0) return;
    for (const w of bertPreTokenize(normalized)) word(w, out);
  }

  // encodeFirst: the words the scan met, by id, and each one's ids (one id, or -1 and its list)
  const table = new WordTable(casing.lowercase);
  let single = new Int32Array(1024);
  const several: number[][] = [];
  const scanned = new IdBuffer();
  const tokens = new IdBuffer();
  const one: number[] = [];

  /** Ids of the table's words from `from` on (those the last scan added). */
  function learn(from: number): void {
    if (table.size > single.length) single = grown(single, Math.max(table.size, single.length * 2));
    for (let id = from; id < table.size; id++) {
      one.length = 0;
      word(table.words[id], one);
      single[id] = one.length === 1 ? one[0] : -1;
      if (one.length !== 1) several[id] = one.slice();
    }
  }

  return {
    encodeFirst(text: string, maxLength: number): Int32Array | null {
      if (splitter?.test(text)) return null;
      if (table.size >= MEMO_WORDS) {
        table.clear();
        several.length = 0;
      }
      const known = table.size;
      // every word gives at least one id, so the first maxLength words hold the first maxLength ids
      const n = scanWords(text, table, scanned, maxLength);
      learn(known); // a scan that gave up may have added words too
      if (n < 0) return null;
      const words = scanned.ids;
      const out = tokens.ensure(maxLength);
      let k = 0;
      for (let i = 0; i < n && k < maxLength; i++) {
        const id = single[words[i]];
        if (id >= 0) out[k++] = id;
        else for (const p of several[words[i]]) if (k < maxLength) out[k++] = p;
      }
      return out.slice(0, k);
    },

    encode(text: string): number[] {
      const out: number[] = [];
      if (!splitter) {
        section(text, out);
        return out;
      }
      for (const part of text.split(splitter)) {
        const id = addedIds.get(part);
        if (id !== undefined) out.push(id);
        else section(part, out);
      }
      return out;
    },
  };
}
