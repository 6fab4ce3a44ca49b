// Turns texts into token ids with a model folder's tokenizer: through its fast path
// (./fast-wordpiece.ts) when it has one, else through transformers.js (./tokenizer.ts). This module
// does not import transformers.js: a tokenizer thread (./parallel-tokenize-worker.mjs) that only
// needs a folder's fast path (loadIdEncoder) never loads it, and starts in a fraction of the time.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { PreTrainedTokenizer } from "@huggingface/transformers";
import { fastWordPiece, type FastEncoder } from "./fast-wordpiece";

export type Tokenizer = PreTrainedTokenizer;

/** What encodeOne reads ids with: a loaded tokenizer, or a folder's fast path alone (loadIdEncoder). */
export type IdEncoder = Tokenizer | FastEncoder;

/** The fast path of each loaded tokenizer that has one. */
const fastEncoders = new WeakMap<Tokenizer, FastEncoder>();
/** The fast paths loadIdEncoder returned on their own. */
const bareFast = new WeakSet<FastEncoder>();

export async function readTokenizerFiles(dir: string): Promise<{ tokenizerJson: unknown; tokenizerConfig: Record<string, unknown> }> {
  const abs = path.resolve(dir);
  const [tokenizerJson, tokenizerConfig] = await Promise.all([
    readFile(path.join(abs, "tokenizer.json"), "utf8").then(JSON.parse),
    readFile(path.join(abs, "tokenizer_config.json"), "utf8").then(JSON.parse),
  ]);
  return { tokenizerJson, tokenizerConfig };
}

/** Gives a tokenizer loaded from `tokenizerJson` its fast path, when that file has one. */
export function attachFastPath(tok: Tokenizer, tokenizerJson: unknown): void {
  const fast = fastWordPiece(tokenizerJson);
  if (fast) fastEncoders.set(tok, fast);
}

/**
 * What encodeOne needs of a folder's tokenizer: its fast path alone when it has one (the same ids
 * as the loaded tokenizer, tests/unit/fast-wordpiece.test.ts), without transformers.js; else the
 * tokenizer, loaded (./tokenizer.ts, imported then).
 */
export async function loadIdEncoder(dir: string): Promise<IdEncoder> {
  const files = await readTokenizerFiles(dir);
  const fast = fastWordPiece(files.tokenizerJson);
  if (!fast) return (await import("./tokenizer")).tokenizerFrom(files);
  bareFast.add(fast);
  return fast;
}

const fastOf = (tok: IdEncoder): FastEncoder | undefined => (bareFast.has(tok as FastEncoder) ? (tok as FastEncoder) : fastEncoders.get(tok as Tokenizer));

/** Whether this tokenizer encodes through the fast path. */
export const hasFastPath = (tok: IdEncoder) => fastOf(tok) !== undefined;

/** Ids of one text, no special tokens, no truncation. */
function encodeAll(tok: IdEncoder, text: string): number[] {
  const fast = fastOf(tok);
  return fast ? fast.encode(text) : (tok as Tokenizer).encode(text, { add_special_tokens: false });
}

/**
 * Token ids per text, truncated to `maxLength`, no special tokens, no padding.
 *
 * Long texts are tokenised by prefix: pre-tokenisation splits on whitespace and normalisation
 * works character by character, so the tokens of a prefix cut at a whitespace are a prefix of
 * the text's tokens. We try a prefix of 8 characters per wanted token and grow it until it yields
 * maxLength tokens or covers the text — the result is identical to tokenising everything.
 */
export function encodeTexts(tok: IdEncoder, texts: string[], maxLength: number): Int32Array[] {
  const out: Int32Array[] = new Array(texts.length);
  for (let i = 0; i < texts.length; i++) out[i] = encodeOne(tok, texts[i] ?? "", maxLength);
  return out;
}

/**
 * encodeTexts that yields to the event loop about every `yieldEveryMs` (so a worker's heartbeat
 * and a server's other requests keep running) and can be cancelled by throwing from `onProgress`.
 */
export async function encodeTextsAsync(
  tok: IdEncoder,
  texts: string[],
  maxLength: number,
  opts: { yieldEveryMs?: number; onProgress?(done: number, total: number): void | Promise<void> } = {},
): Promise<Int32Array[]> {
  const every = opts.yieldEveryMs ?? 50;
  const out: Int32Array[] = new Array(texts.length);
  let last = performance.now();
  for (let i = 0; i < texts.length; i++) {
    out[i] = encodeOne(tok, texts[i] ?? "", maxLength);
    if (performance.now() - last >= every) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      await opts.onProgress?.(i + 1, texts.length);
      last = performance.now();
    }
  }
  await opts.onProgress?.(texts.length, texts.length);
  return out;
}

/** One text's first maxLength ids, tokenising only as long a prefix as needed (see encodeTexts). */
export function encodeOne(tok: IdEncoder, text: string, maxLength: number): Int32Array {
  const scanned = fastOf(tok)?.encodeFirst(text, maxLength);
  if (scanned) return scanned;
  let budget = Math.max(64, maxLength * 8);
  let ids: number[];
  for (;;) {
    if (text.length <= budget) {
      ids = encodeAll(tok, text);
      break;
    }
    const cut = lastWhitespaceBefore(text, budget);
    if (cut > 0) {
      ids = encodeAll(tok, text.slice(0, cut));
      if (ids.length >= maxLength) break;
    }
    budget *= 4;
  }
  return Int32Array.from(ids.length > maxLength ? ids.slice(0, maxLength) : ids);
}

/** Index of the last whitespace character at or before `end`, or -1. */
function lastWhitespaceBefore(text: string, end: number): number {
  for (let j = Math.min(end, text.length - 1); j > 0; j--) {
    const c = text.charCodeAt(j);
    if (c === 32 || c === 10 || c === 13 || c === 9) return j;
  }
  return -1;
}
