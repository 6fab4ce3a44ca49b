// Sub-word and word-pair features of the starter model (fastText's -minn/-maxn and -wordNgrams):
// each token's vector is its own row plus the rows of its character n-grams (hashed into
// `buckets` rows), and each pair of adjacent tokens adds a row (hashed into `pairBuckets` rows).
// A text's vector is the mean over all those rows. In training a text's token ids are expanded
// into these feature ids (one embedding table: tokens, then n-gram buckets, then pair buckets);
// at export the n-gram rows are folded into each token's row (they depend only on the token) and
// the pair hash is computed in the graph with integer arithmetic (lib/kinds/starter/onnx.ts).

export interface SubwordOptions {
  /** shortest and longest character n-gram (0: no sub-word features) */
  minn: number;
  maxn: number;
  /** n-gram hash buckets */
  buckets: number;
  /** 2: adjacent token pairs get their own hashed rows; 1: none */
  wordNgrams: number;
  /** pair hash buckets */
  pairBuckets: number;
}

export const NO_SUBWORDS: SubwordOptions = { minn: 0, maxn: 0, buckets: 0, wordNgrams: 1, pairBuckets: 0 };

/** The starter model's defaults (provisional: to be chosen with `npm run bench -- --only quality`). */
export const SUBWORD_DEFAULTS: SubwordOptions = { minn: 2, maxn: 5, buckets: 100_000, wordNgrams: 2, pairBuckets: 50_000 };

/** A request's options (fastText's names) over the defaults. */
export function subwordOptions(r: { minn?: number; maxn?: number; bucket?: number; word_ngrams?: number; pair_bucket?: number }): SubwordOptions {
  const d = SUBWORD_DEFAULTS;
  const minn = r.minn ?? d.minn;
  return {
    minn,
    maxn: minn === 0 ? 0 : (r.maxn ?? Math.max(d.maxn, minn)),
    buckets: minn === 0 ? 0 : (r.bucket ?? d.buckets),
    wordNgrams: r.word_ngrams ?? d.wordNgrams,
    pairBuckets: (r.word_ngrams ?? d.wordNgrams) < 2 ? 0 : (r.pair_bucket ?? d.pairBuckets),
  };
}

export const sameSubwords = (a: SubwordOptions, b: SubwordOptions) =>
  a.minn === b.minn && a.maxn === b.maxn && a.buckets === b.buckets && a.wordNgrams === b.wordNgrams && a.pairBuckets === b.pairBuckets;

export function describeSubwords(o: SubwordOptions): string {
  const parts = [usesNgrams(o) ? `character ${o.minn}–${o.maxn}-grams in ${o.buckets} buckets` : "no character n-grams", usesPairs(o) ? `word pairs in ${o.pairBuckets} buckets` : "no word pairs"];
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

/** Rows of the training embedding table: tokens, n-gram buckets, pair buckets. */
export const featureRows = (vocabSize: number, o: SubwordOptions) => vocabSize + (usesNgrams(o) ? o.buckets : 0) + (usesPairs(o) ? o.pairBuckets : 0);

/** A text's token ids → its feature ids (each token, its n-grams, then each adjacent pair). */
export function expandFeatures(ids: Int32Array, vocabSize: number, table: NgramTable, o: SubwordOptions): Int32Array {
  const ngrams = usesNgrams(o);
  const pairs = usesPairs(o) && ids.length > 1;
  let n = ids.length;
  if (ngrams) for (const t of ids) n += table.offsets[t + 1] - table.offsets[t];
  if (pairs) n += ids.length - 1;
  const out = new Int32Array(n);
  let k = 0;
  for (const t of ids) {
    out[k++] = t;
    if (ngrams) for (let j = table.offsets[t]; j < table.offsets[t + 1]; j++) out[k++] = vocabSize + table.buckets[j];
  }
  if (pairs) {
    const base = vocabSize + (ngrams ? o.buckets : 0);
    for (let i = 0; i + 1 < ids.length; i++) out[k++] = base + pairBucket(ids[i], ids[i + 1], o.pairBuckets);
  }
  return out;
}

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
