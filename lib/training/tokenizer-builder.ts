// Builds a BERT-style WordPiece tokenizer (a real Hugging Face tokenizer.json) from training texts.
//
// Normalisation and pre-tokenisation below mirror the BertNormalizer and BertPreTokenizer of
// tokenizers.js (the code transformers.js runs when it loads the file), so every word counted here
// is exactly a word the loaded tokenizer will look up.

import { grown } from "./typed-arrays";
import { IdBuffer, scanWords, UNSCANNABLE, WordTable } from "./word-scan";

/** The special tokens, at ids 0-4 ([PAD] is 0, [UNK] is 1). */
export const SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] as const;
/**
 * Words longer than this (in code points) become [UNK] in WordPiece, and are never put in the vocab.
 * BERT uses 100; 50 keeps every real word while base64 lines, hashes and other junk skip the
 * greedy longest-match search, whose cost grows with the cube of the word length in tokenizers.js
 * (it halves tokenisation time on raw e-mails).
 */
export const MAX_INPUT_CHARS_PER_WORD = 50;

export interface BuildTokenizerOptions {
  vocabSize?: number;
  minCount?: number;
  maxLength?: number;
  /** false: keep case, as bert-base-cased does (BertNormalizer lowercase:false). Default true. */
  lowercase?: boolean;
  /** true: strip accents as bert-base-uncased does ("café" → "cafe"). Default false: accents tell languages and words apart. */
  stripAccents?: boolean;
}

/** How the BertNormalizer treats case and accents. */
export interface Casing {
  lowercase: boolean;
  stripAccents: boolean;
}

/** The starter model's: lowercased, accents kept (see the quality bench: +5 points telling four European languages apart). */
export const DEFAULT_CASING: Casing = { lowercase: true, stripAccents: false };

// --- BertNormalizer (clean_text, handle_chinese_chars, lowercase, strip accents) ----------------

// Same character classes as tokenizers.js, applied with whole-string regexes (much faster than a
// per-character loop). Control characters other than \t \n \r are dropped, then whitespace → " ".
const CONTROL = /(?![\t\n\r])[\0\ufffd\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu;
const WHITESPACE = /\s/g;
// tokenizers.js tests UTF-16 code units, so only the BMP CJK blocks can match.
const CJK = /[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]/g;

// Text of ASCII characters only (most e-mails) takes regexes without Unicode property classes, which
// give the same result on it and cost a fraction (1,000 short demo texts: pre-tokenising 5 → 1 ms):
// in ASCII the controls are \0-\x1f and \x7f, nothing is CJK or a combining mark, NFD changes
// nothing, and the punctuation is every printable character that is not a letter or digit.
const ASCII = /^[\0-\x7f]*$/;
const ASCII_CONTROL = /[\0-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

export function bertNormalize(text: string, casing: Casing = DEFAULT_CASING): string {
  if (ASCII.test(text)) {
    const cleaned = text.replace(ASCII_CONTROL, "").replace(WHITESPACE, " ");
    return casing.lowercase ? cleaned.toLowerCase() : cleaned;
  }
  const cleaned = text.replace(CONTROL, "").replace(WHITESPACE, " ").replace(CJK, " $& ");
  const cased = casing.lowercase ? cleaned.toLowerCase() : cleaned;
  return casing.stripAccents ? cased.normalize("NFD").replace(/\p{Mn}/gu, "") : cased;
}

// --- BertPreTokenizer: runs of non-space non-punctuation, or single punctuation chars ----------

const PUNCT = "\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E";
const WORD_PATTERN = new RegExp(`[^\\s${PUNCT}]+|[${PUNCT}]`, "gu");
const ASCII_PUNCT = "!-\\/:-@\\[-`{-~";
const ASCII_WORD_PATTERN = new RegExp(`[^\\s${ASCII_PUNCT}]+|[${ASCII_PUNCT}]`, "g");

export function bertPreTokenize(normalized: string): string[] {
  const text = normalized.trim();
  return text.match(ASCII.test(text) ? ASCII_WORD_PATTERN : WORD_PATTERN) ?? [];
}

// --- counting and vocabulary --------------------------------------------------------------------

/**
 * Word → count over all texts, in the order words are first seen (added to `counts` when given).
 * On a big list, TokenizePool.countWords (lib/tokenizers/parallel-tokenize.ts) gives the same map on
 * several threads.
 */
export function countWords(texts: string[], casing: Casing = DEFAULT_CASING, counts = new Map<string, number>()): Map<string, number> {
  const counter = new WordCounter(casing);
  counter.add(texts);
  const { words, counts: n } = counter.result();
  for (let i = 0; i < words.length; i++) counts.set(words[i], (counts.get(words[i]) ?? 0) + n[i]);
  return counts;
}

/**
 * Counts words text after text: ASCII texts by one scan each (./word-scan.ts), any other by the
 * normaliser's and pre-tokeniser's regexes; the result is countWords's, as two arrays in the order
 * words were first seen.
 */
export class WordCounter {
  private readonly table: WordTable;
  private counts = new Float64Array(1024);
  private readonly scratch = new IdBuffer();

  constructor(private readonly casing: Casing = DEFAULT_CASING) {
    this.table = new WordTable(casing.lowercase);
  }

  add(texts: readonly string[]): this {
    for (const t of texts) {
      // checked first, so that a text the scan would give up on adds no word out of its first-seen order
      const n = UNSCANNABLE.test(t) ? -1 : scanWords(t, this.table, this.scratch);
      if (n >= 0) {
        this.grow();
        const ids = this.scratch.ids;
        for (let k = 0; k < n; k++) this.counts[ids[k]]++;
      } else {
        const ids = bertPreTokenize(bertNormalize(t, this.casing)).map((w) => this.table.idOf(w));
        this.grow();
        for (const id of ids) this.counts[id]++;
      }
    }
    return this;
  }

  /** Every word seen and its count, in the order first seen. */
  result(): { words: string[]; counts: Float64Array } {
    return { words: this.table.words.slice(), counts: this.counts.slice(0, this.table.size) };
  }

  private grow(): void {
    if (this.table.size > this.counts.length) this.counts = grown(this.counts, Math.max(this.table.size, this.counts.length * 2));
  }
}

/** Highest count first, ties by code-unit order: a total, deterministic order. */
function byCountThenString(a: [string, number], b: [string, number]): number {
  return b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

/**
 * Vocabulary order: special tokens, then every character seen (as a word start and as "##c"),
 * so any word up to MAX_INPUT_CHARS_PER_WORD falls back to characters instead of [UNK], then the
 * most frequent whole words with count ≥ minCount, until vocabSize.
 *
 * An unknown word is spelt out in characters, not cut into longer learnt pieces: with the
 * starter's word n-gram features, runs of 2–3 adjacent characters give it a vector from its
 * spelling, and that beat a tenth of the vocabulary spent on frequent word starts and endings
 * (87.1 % against 84.1 % telling the language of unseen words apart, same features, seed 1;
 * tests/bench/quality.ts).
 */
export function buildVocab(counts: Map<string, number>, vocabSize: number, minCount: number): string[] {
  const startChars = new Map<string, number>();
  const innerChars = new Map<string, number>();
  for (const [w, c] of counts) {
    const chars = [...w];
    if (chars.length > MAX_INPUT_CHARS_PER_WORD) continue;
    startChars.set(chars[0], (startChars.get(chars[0]) ?? 0) + c);
    for (let i = 1; i < chars.length; i++) innerChars.set("##" + chars[i], (innerChars.get("##" + chars[i]) ?? 0) + c);
  }
  const vocab: string[] = [...SPECIAL_TOKENS];
  const seen = new Set<string>(vocab);
  const add = (t: string) => {
    if (vocab.length < vocabSize && !seen.has(t)) {
      seen.add(t);
      vocab.push(t);
    }
  };
  // Characters by frequency, interleaving start and inner forms so a cap keeps the common ones.
  const chars = [...startChars, ...innerChars].sort(byCountThenString);
  for (const [t] of chars) add(t);
  const words = [...counts]
    .filter(([w, c]) => c >= minCount && w.length <= MAX_INPUT_CHARS_PER_WORD)
    .sort(byCountThenString);
  for (const [w] of words) {
    if (vocab.length >= vocabSize) break;
    add(w);
  }
  return vocab;
}

/**
 * An existing vocabulary grown with what `counts` adds: new characters first, then new words by
 * frequency, appended after the old ids (which keep their meaning), until vocabSize.
 */
export function extendVocab(oldVocab: string[], counts: Map<string, number>, vocabSize: number, minCount: number): string[] {
  const vocab = [...oldVocab];
  const seen = new Set(vocab);
  for (const t of buildVocab(counts, Number.MAX_SAFE_INTEGER, minCount)) {
    if (vocab.length >= vocabSize) break;
    if (!seen.has(t)) {
      seen.add(t);
      vocab.push(t);
    }
  }
  return vocab;
}

/** The vocabulary (by id) and casing of a tokenizer.json this module wrote (strip_accents null follows lowercase, as in tokenizers.js). */
export function vocabOf(tokenizer: object): { vocab: string[]; casing: Casing } {
  const t = tokenizer as { model: { vocab: Record<string, number> }; normalizer?: { lowercase?: boolean; strip_accents?: boolean | null } };
  const vocab: string[] = [];
  for (const [token, id] of Object.entries(t.model.vocab)) vocab[id] = token;
  const lowercase = t.normalizer?.lowercase ?? true;
  const strip = t.normalizer?.strip_accents;
  return { vocab, casing: { lowercase, stripAccents: strip === null || strip === undefined ? lowercase : strip } };
}

// --- the two JSON files ------------------------------------------------------------------------

/** tokenizer.json's `added_tokens`: the special tokens at their ids in the vocabulary, by id. */
export function addedTokens(idOf: (token: string) => number): object[] {
  return SPECIAL_TOKENS.map((content) => ({
    id: idOf(content),
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  })).sort((a, b) => a.id - b.id);
}

export function tokenizerJson(vocab: string[], casing: Casing = DEFAULT_CASING): object {
  const vocabObj: Record<string, number> = Object.create(null);
  vocab.forEach((t, i) => (vocabObj[t] = i));
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: addedTokens((t) => vocab.indexOf(t)),
    normalizer: { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: casing.stripAccents, lowercase: casing.lowercase },
    pre_tokenizer: { type: "BertPreTokenizer" },
    // No special tokens are added: the model mean-pools over the text's own tokens.
    post_processor: null,
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: {
      type: "WordPiece",
      unk_token: "[UNK]",
      continuing_subword_prefix: "##",
      max_input_chars_per_word: MAX_INPUT_CHARS_PER_WORD,
      vocab: vocabObj,
    },
  };
}

export function tokenizerConfigJson(maxLength: number, casing: Casing = DEFAULT_CASING): object {
  return {
    tokenizer_class: "BertTokenizer",
    do_lower_case: casing.lowercase,
    strip_accents: casing.stripAccents,
    tokenize_chinese_chars: true,
    model_max_length: maxLength,
    clean_up_tokenization_spaces: true,
    pad_token: "[PAD]",
    unk_token: "[UNK]",
    cls_token: "[CLS]",
    sep_token: "[SEP]",
    mask_token: "[MASK]",
  };
}

export interface BuiltTokenizer {
  tokenizer: object;
  tokenizerConfig: object;
  vocab: string[];
}

/** The casing the options ask for (DEFAULT_CASING where they say nothing). */
export function casingOf(opts: BuildTokenizerOptions): Casing {
  return { lowercase: opts.lowercase ?? DEFAULT_CASING.lowercase, stripAccents: opts.stripAccents ?? DEFAULT_CASING.stripAccents };
}

export function buildTokenizer(texts: string[], opts: BuildTokenizerOptions = {}): BuiltTokenizer {
  return tokenizerFromCounts(countWords(texts, casingOf(opts)), opts);
}

/** buildTokenizer from the texts' word counts, counted with casingOf(opts) (e.g. by TokenizePool.countWords). */
export function tokenizerFromCounts(counts: Map<string, number>, opts: BuildTokenizerOptions = {}): BuiltTokenizer {
  const vocabSize = opts.vocabSize ?? 30000;
  const minCount = opts.minCount ?? 2;
  const maxLength = opts.maxLength ?? 1024;
  if (!(vocabSize >= SPECIAL_TOKENS.length)) throw new RangeError(`vocabSize must be ≥ ${SPECIAL_TOKENS.length}`);
  const casing = casingOf(opts);
  const vocab = buildVocab(counts, vocabSize, minCount);
  return { tokenizer: tokenizerJson(vocab, casing), tokenizerConfig: tokenizerConfigJson(maxLength, casing), vocab };
}
