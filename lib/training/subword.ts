// Sub-word and word n-gram features of the starter model (fastText's -minn/-maxn and -wordNgrams):
// each token's vector is its own row plus the rows of its character n-grams (hashed into
// `buckets` rows), and each run of 2 … wordNgrams adjacent tokens adds a row (hashed into
// `pairBuckets` rows). A word outside the vocabulary is spelt out in characters, so its runs of
// characters give it a vector from its spelling. A text's vector is the mean over all those rows.
// In training one embedding table holds tokens, then n-gram buckets, then run buckets, and each
// batch composes its tokens' vectors (feature-pool.ts); at export the n-gram rows are folded into
// each token's row (they depend only on the token) and the runs are hashed in the graph with
// integer arithmetic (lib/kinds/starter/onnx.ts).

export interface SubwordOptions {
  /** shortest and longest character n-gram (0: no sub-word features) */
  minn: number;
  maxn: number;
  /** n-gram hash buckets */
  buckets: number;
  /** runs of 2 … wordNgrams adjacent tokens get their own hashed rows (2: pairs, 3: pairs and triples); 1: none */
  wordNgrams: number;
  /** pair hash buckets */
  pairBuckets: number;
}

export const NO_SUBWORDS: SubwordOptions = { minn: 0, maxn: 0, buckets: 0, wordNgrams: 1, pairBuckets: 0 };

/** The features' settings when they are on (fastText's -minn/-maxn range; chosen with `npm run bench -- --only quality`). */
export const SUBWORD_DEFAULTS: SubwordOptions = { minn: 2, maxn: 5, buckets: 100_000, wordNgrams: 3, pairBuckets: 50_000 };

/**
 * By default the features are on when the training texts are short: a median of at most this many
 * words. There they add points (unseen words, word order in a few words); on long texts they add
 * nothing measurable and make training several times slower (see the README's quality table).
 */
export const AUTO_FEATURES_MAX_WORDS = 32;

/** The median number of whitespace-separated words of the texts (a run gives it a sample of its training texts: lib/kinds/starter/train.ts). */
export function medianWords(texts: readonly string[]): number {
  if (texts.length === 0) return 0;
  const counts = texts.map((t) => t.match(/\S+/g)?.length ?? 0);
  counts.sort((a, b) => a - b);
  return counts[Math.floor(counts.length / 2)];
}

export interface SubwordRequest {
  minn?: number;
  maxn?: number;
  bucket?: number;
  word_ngrams?: number;
  pair_bucket?: number;
}

/**
 * A request's options (fastText's names) over the defaults. What the request leaves out follows
 * the serving version's features when the run continues from it (so that it can), else the
 * length rule: on for short texts (AUTO_FEATURES_MAX_WORDS), off for long ones.
 */
export function subwordOptions(r: SubwordRequest, auto: { medianWords: number; serving: SubwordOptions | null }): { options: SubwordOptions; why: string } {
  const short = auto.medianWords <= AUTO_FEATURES_MAX_WORDS;
  const base = auto.serving ?? (short ? SUBWORD_DEFAULTS : NO_SUBWORDS);
  const on = SUBWORD_DEFAULTS;
  const minn = r.minn ?? base.minn;
  const ngramsOn = minn > 0;
  const wordNgrams = r.word_ngrams ?? base.wordNgrams;
  const options: SubwordOptions = {
    minn: ngramsOn ? minn : 0,
    maxn: ngramsOn ? (r.maxn ?? Math.max(base.minn > 0 ? base.maxn : on.maxn, minn)) : 0,
    buckets: ngramsOn ? (r.bucket ?? (base.buckets || on.buckets)) : 0,
    wordNgrams,
    pairBuckets: wordNgrams < 2 ? 0 : (r.pair_bucket ?? (base.pairBuckets || on.pairBuckets)),
  };
  const given = r.minn !== undefined && r.word_ngrams !== undefined;
  const median = `the training texts' median is ${auto.medianWords} ${auto.medianWords === 1 ? "word" : "words"}`;
  const why = given
    ? "as requested"
    : auto.serving
      ? "as the serving version's (which this run continues from) where the request leaves them out"
      : short
        ? `on by default for short texts: ${median} (≤ ${AUTO_FEATURES_MAX_WORDS})`
        : `off by default for long texts: ${median} (> ${AUTO_FEATURES_MAX_WORDS})`;
  return { options, why };
}

export const sameSubwords = (a: SubwordOptions, b: SubwordOptions) =>
  a.minn === b.minn && a.maxn === b.maxn && a.buckets === b.buckets && a.wordNgrams === b.wordNgrams && a.pairBuckets === b.pairBuckets;

export function describeSubwords(o: SubwordOptions): string {
  const parts = [usesNgrams(o) ? `character ${o.minn}–${o.maxn}-grams in ${o.buckets} buckets` : "no character n-grams", usesPairs(o) ? `runs of 2–${o.wordNgrams} adjacent tokens in ${o.pairBuckets} buckets` : "no word n-grams"];
  return parts.join(", ");
}

/** fastText's multiplier for word n-gram hashes; (a·P + b) stays below 2^53 for any vocabulary under 77 million tokens. */
export const PAIR_MULTIPLIER = 116049371;

export const usesNgrams = (o: SubwordOptions) => o.minn > 0 && o.maxn >= o.minn && o.buckets > 0;
export const usesPairs = (o: SubwordOptions) => o.wordNgrams >= 2 && o.pairBuckets > 0;

/** FNV-1a (32 bits) over UTF-16 code units. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A token's spelling with word boundaries: "<word>" for a word (start), "ing>" for a "##ing" piece; null for special tokens. */
export function spelling(token: string): string | null {
  if (/^\[[A-Z]+\]$/.test(token)) return null;
  return token.startsWith("##") && token.length > 2 ? `${token.slice(2)}>` : `<${token}>`;
}

/** The character n-grams (by code point) of a spelling, minn … maxn long, the whole spelling excluded (it is the token's own row). */
export function ngramsOf(spelled: string, minn: number, maxn: number): string[] {
  const cps = [...spelled];
  const out: string[] = [];
  for (let i = 0; i < cps.length; i++) {
    for (let n = minn; n <= maxn && i + n <= cps.length; n++) {
      if (n === cps.length) continue;
      out.push(cps.slice(i, i + n).join(""));
    }
  }
  return out;
}

/** Each token's n-gram buckets, CSR: token t's are buckets[offsets[t] … offsets[t+1]). */
export interface NgramTable {
  offsets: Int32Array;
  buckets: Int32Array;
}

export function ngramTable(vocab: string[], o: SubwordOptions): NgramTable {
  const offsets = new Int32Array(vocab.length + 1);
  const all: number[] = [];
  for (let t = 0; t < vocab.length; t++) {
    const s = usesNgrams(o) ? spelling(vocab[t]) : null;
    if (s) for (const g of ngramsOf(s, o.minn, o.maxn)) all.push(fnv1a(g) % o.buckets);
    offsets[t + 1] = all.length;
  }
  return { offsets, buckets: Int32Array.from(all) };
}

/** The pair row of adjacent tokens a, b (0 … pairBuckets−1): what the graph computes with Mul, Add and Mod. */
export const pairBucket = (a: number, b: number, pairBuckets: number) => (a * PAIR_MULTIPLIER + b) % pairBuckets;

/**
 * The row of the w adjacent tokens ids[i … i+w): the pair's bucket, then for each further token
 * h ← (h·P + id) mod buckets (reduced at each step, so every intermediate stays below 2^53).
 */
export function wordNgramBucket(ids: Int32Array, i: number, w: number, buckets: number): number {
  let h = pairBucket(ids[i], ids[i + 1], buckets);
  for (let k = 2; k < w; k++) h = (h * PAIR_MULTIPLIER + ids[i + k]) % buckets;
  return h;
}

/** Rows of the training embedding table: tokens, n-gram buckets, pair buckets. */
export const featureRows = (vocabSize: number, o: SubwordOptions) => vocabSize + (usesNgrams(o) ? o.buckets : 0) + (usesPairs(o) ? o.pairBuckets : 0);

/**
 * The export's fold: each token's row plus its n-gram rows (V × dim), how many rows each token
 * stands for (1 + its n-grams), and the pair rows.
 */
export function foldSubwords(embedding: Float32Array, vocabSize: number, dim: number, table: NgramTable, o: SubwordOptions) {
  const tokens = embedding.slice(0, vocabSize * dim);
  const counts = new Float32Array(vocabSize).fill(1);
  if (usesNgrams(o)) {
    for (let t = 0; t < vocabSize; t++) {
      for (let j = table.offsets[t]; j < table.offsets[t + 1]; j++) {
        const row = (vocabSize + table.buckets[j]) * dim;
        for (let d = 0; d < dim; d++) tokens[t * dim + d] += embedding[row + d];
      }
      counts[t] += table.offsets[t + 1] - table.offsets[t];
    }
  }
  const pairBase = vocabSize + (usesNgrams(o) ? o.buckets : 0);
  const pairs = usesPairs(o) ? embedding.slice(pairBase * dim, (pairBase + o.pairBuckets) * dim) : null;
  return { tokens, counts, pairs };
}
