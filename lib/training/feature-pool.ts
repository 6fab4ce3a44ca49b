// The starter model's text vector with sub-word and word n-gram features (lib/training/subword.ts),
// computed from token ids without expanding them: a text's vector is the mean of its feature rows,
//
//   pooled[b] = (Σ_tokens t  C[t]  +  Σ_adjacent (t, u)  E[pairRow(t, u)]) / N_b
//   C[t]      = E[t] + Σ_{g ∈ ngrams(t)} E[g]          (a token's composed vector)
//   N_b       = Σ_tokens (1 + |ngrams(t)|) + (pairs)   (the number of feature rows)
//
// C[t] is composed once per distinct token of a batch (a long text repeats its tokens, and a batch
// repeats them across texts), so a forward pass costs one row addition per token occurrence plus
// the n-gram rows of the batch's distinct tokens. The backward pass mirrors it: each distinct
// token gathers its coefficient vector (numLabels wide) over its occurrences, then hands it to its
// own row and each of its n-gram rows. The exported graph computes the same thing (n-gram rows
// folded into each token's row, pairs hashed in the graph: lib/kinds/starter/onnx.ts).
import { wordNgramBucket, usesNgrams, usesPairs, type NgramTable, type SubwordOptions } from "./subword";
import type { StaticParams } from "./types";
import { grown } from "./typed-arrays";
import type { SparseRows } from "./static-model";

/** Where a token's feature rows are in the training embedding table. */
export interface FeatureLayout {
  /** token ids are 0 … vocabSize−1 */
  vocabSize: number;
  /** token t's n-gram rows: ngramRows[ngramOffsets[t] … ngramOffsets[t+1]) (absolute row ids); null: none */
  ngramOffsets: Int32Array | null;
  ngramRows: Int32Array | null;
  /** first word n-gram row and the number of those rows (0: none) */
  pairBase: number;
  pairBuckets: number;
  /** longest run of adjacent tokens that gets a row (2: pairs, 3: pairs and triples) */
  wordNgrams: number;
}

export function featureLayout(vocabSize: number, table: NgramTable, o: SubwordOptions): FeatureLayout {
  const ngrams = usesNgrams(o);
  return {
    vocabSize,
    ngramOffsets: ngrams ? table.offsets : null,
    ngramRows: ngrams ? table.buckets.map((b) => vocabSize + b) : null,
    pairBase: vocabSize + (ngrams ? o.buckets : 0),
    pairBuckets: usesPairs(o) ? o.pairBuckets : 0,
    wordNgrams: usesPairs(o) ? o.wordNgrams : 1,
  };
}

/** A pool for a layout with features; none without (each token is then one row, and the plain mean is cheaper). */
export function featurePoolFor(layout: FeatureLayout | undefined, dim: number, width: number): FeaturePool | undefined {
  return layout && (layout.ngramOffsets !== null || layout.pairBuckets > 0) ? new FeaturePool(layout, dim, width) : undefined;
}

/** Per-batch scratch for composing token vectors; one per training loop (not shared between threads). */
export class FeaturePool {
  private readonly slotOf: Int32Array;
  private tokens = new Int32Array(1024);
  private composed: Float32Array;
  private coef: Float64Array;
  private count = 0;
  /** 1 / N_b for the last forward batch (0 for an empty text) */
  private inv = new Float64Array(64);

  constructor(
    readonly layout: FeatureLayout,
    private readonly dim: number,
    private readonly width: number,
  ) {
    this.slotOf = new Int32Array(layout.vocabSize).fill(-1);
    this.composed = new Float32Array(this.tokens.length * dim);
    this.coef = new Float64Array(this.tokens.length * width);
  }

  private rowsOf(t: number): number {
    const o = this.layout.ngramOffsets;
    return o ? 1 + o[t + 1] - o[t] : 1;
  }

  /** The slot of token t, its composed vector computed from E on first use in this batch. */
  private slot(t: number, E: Float32Array): number {
    let s = this.slotOf[t];
    if (s >= 0) return s;
    s = this.count++;
    if (s >= this.tokens.length) this.grow();
    this.slotOf[t] = s;
    this.tokens[s] = t;
    const dim = this.dim;
    const c = this.composed;
    const cs = s * dim;
    for (let d = 0, r = t * dim; d < dim; d++) c[cs + d] = E[r + d]; // no subarray view per slot: this is the hot loop
    const { ngramOffsets: off, ngramRows: rows } = this.layout;
    if (off && rows) {
      for (let j = off[t]; j < off[t + 1]; j++) {
        const r = rows[j] * dim;
        for (let d = 0; d < dim; d++) c[cs + d] += E[r + d];
      }
    }
    this.coef.fill(0, s * this.width, (s + 1) * this.width);
    return s;
  }

  private grow(): void {
    const n = this.tokens.length * 2;
    this.tokens = grown(this.tokens, n);
    this.composed = grown(this.composed, n * this.dim);
    this.coef = grown(this.coef, n * this.width);
  }

  private reset(): void {
    for (let i = 0; i < this.count; i++) this.slotOf[this.tokens[i]] = -1;
    this.count = 0;
  }

  /** pooled[b·dim …] for each text of the batch (see the top of this file). */
  forward(p: StaticParams, batch: Int32Array[], pooled: Float32Array): void {
    const { dim, embedding: E } = p;
    const { pairBase, pairBuckets, wordNgrams } = this.layout;
    this.reset();
    if (this.inv.length < batch.length) this.inv = new Float64Array(batch.length * 2);
    for (let b = 0; b < batch.length; b++) {
      const ids = batch[b];
      const off = b * dim;
      pooled.fill(0, off, off + dim);
      const n = ids.length;
      if (n === 0) {
        this.inv[b] = 0;
        continue;
      }
      let rows = 0;
      for (let i = 0; i < n; i++) {
        const t = ids[i];
        const cs = this.slot(t, E) * dim;
        const c = this.composed;
        for (let d = 0; d < dim; d++) pooled[off + d] += c[cs + d];
        rows += this.rowsOf(t);
      }
      for (let w = 2; w <= wordNgrams && w <= n; w++) {
        for (let i = 0; i + w <= n; i++) {
          const r = (pairBase + wordNgramBucket(ids, i, w, pairBuckets)) * dim;
          for (let d = 0; d < dim; d++) pooled[off + d] += E[r + d];
        }
        rows += n - w + 1;
      }
      const inv = 1 / rows;
      this.inv[b] = inv;
      for (let d = 0; d < dim; d++) pooled[off + d] *= inv;
    }
  }

  /**
   * After forward() on the same batch: adds each feature row's coefficient vector
   * a[row] = Σ_b (its occurrences in text b / N_b) · dlogits[b] into `rows` (dE[row] = W · a[row]).
   */
  backward(batch: Int32Array[], dlogits: Float32Array, rows: SparseRows): void {
    const C = this.width;
    const { pairBase, pairBuckets, wordNgrams, ngramOffsets: off, ngramRows } = this.layout;
    const coef = this.coef;
    for (let b = 0; b < batch.length; b++) {
      const inv = this.inv[b];
      if (inv === 0) continue;
      const ids = batch[b];
      const g = b * C;
      for (let i = 0; i < ids.length; i++) {
        const o = this.slotOf[ids[i]] * C;
        for (let c = 0; c < C; c++) coef[o + c] += dlogits[g + c] * inv;
      }
      for (let w = 2; w <= wordNgrams && w <= ids.length; w++) {
        for (let i = 0; i + w <= ids.length; i++) {
          const o = rows.slot(pairBase + wordNgramBucket(ids, i, w, pairBuckets)) * C;
          const a = rows.coef; // slot() may have grown it
          for (let c = 0; c < C; c++) a[o + c] += dlogits[g + c] * inv;
        }
      }
    }
    for (let s = 0; s < this.count; s++) {
      const t = this.tokens[s];
      const so = s * C;
      const to = rows.slot(t) * C;
      let a = rows.coef;
      for (let c = 0; c < C; c++) a[to + c] += coef[so + c];
      if (off && ngramRows) {
        for (let j = off[t]; j < off[t + 1]; j++) {
          const o = rows.slot(ngramRows[j]) * C;
          a = rows.coef;
          for (let c = 0; c < C; c++) a[o + c] += coef[so + c];
        }
      }
    }
  }
}
