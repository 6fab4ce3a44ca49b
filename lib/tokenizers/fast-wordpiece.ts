// A fast path for the tokenizers the starter model builds (lib/training/tokenizer-builder.ts):
// BertNormalizer + BertPreTokenizer + WordPiece, no post-processor, only the special tokens
// added. It follows transformers.js step for step (split on the added tokens' exact text, then
// normalise, pre-tokenise and run WordPiece's greedy longest match on each word), with a Map
// lookup per word instead of transformers.js's general machinery, and gives the same ids
// (tests/unit/fast-wordpiece.test.ts compares them over the demo table and random Unicode).
// Any other tokenizer.json gets no fast path: transformers.js encodes it.
import { bertNormalize, bertPreTokenize, type Casing } from "../training/tokenizer-builder";

export interface FastEncoder {
  /** all of a text's ids, no special tokens added */
  encode(text: string): number[];
}

interface TokenizerJson {
  added_tokens?: { id: number; content: string; single_word?: boolean; lstrip?: boolean; rstrip?: boolean; normalized?: boolean }[];
  normalizer?: { type?: string; clean_text?: boolean; handle_chinese_chars?: boolean; lowercase?: boolean; strip_accents?: boolean | null } | null;
  pre_tokenizer?: { type?: string } | null;
  post_processor?: unknown;
  model?: { type?: string; unk_token?: string; continuing_subword_prefix?: string; max_input_chars_per_word?: number; vocab?: Record<string, number> };
}

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

  function word(w: string, out: number[]): void {
    const whole = vocab.get(w);
    const chars = [...w];
    if (chars.length > maxChars) {
      out.push(unk!);
      return;
    }
    if (whole !== undefined) {
      out.push(whole);
      return;
    }
    const pieces: number[] = [];
    let start = 0;
    while (start < chars.length) {
      let id: number | undefined;
      let end = chars.length;
      for (; end > start; end--) {
        const sub = chars.slice(start, end).join("");
        id = vocab.get(start > 0 ? "##" + sub : sub);
        if (id !== undefined) break;
      }
      if (id === undefined) {
        out.push(unk!);
        return;
      }
      pieces.push(id);
      start = end;
    }
    for (const p of pieces) out.push(p);
  }

  function section(text: string, out: number[]): void {
    if (text.length === 0) return;
    const normalized = bertNormalize(text, casing);
    if (normalized.length === 0) return;
    for (const w of bertPreTokenize(normalized)) word(w, out);
  }

  return {
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
