// The starter model, forward and backward by hand:
//
//   pooled[b] = (1/n_b) Σ_t E[ids_b[t]]          (mean of the text's token vectors; empty text → 0)
//   logits[b] = pooled[b] · W + bias              (W is dim × numLabels)
//   loss      = mean_b −Σ_c q[b,c] log softmax(logits[b])_c   (q = one-hot, optionally smoothed)
//
// and the gradients that flow back:
//
//   dW[d,c]    = Σ_b pooled[b,d] · dlogits[b,c]
//   dbias[c]   = Σ_b dlogits[b,c]
//   dpooled[b] = W · dlogits[b]
//   dE[id]    += dpooled[b] / n_b   for every occurrence of id in text b
import type { StaticParams } from "./types";
import { fillUniform, mulberry32 } from "./rng";
import { grown } from "./typed-arrays";
import { featurePoolFor, type FeaturePool, type FeatureLayout } from "./feature-pool";

/**
 * fastText's initialisation: embeddings U(−1/dim, 1/dim), head W and bias zero (so at step 0 every
 * class is equally likely and the head learns first; the embeddings start moving once W ≠ 0).
 */
export function initStaticParams(vocabSize: number, dim: number, numLabels: number, seed: number): StaticParams {
  const rng = mulberry32(seed);
  return {
    vocabSize,
    dim,
    numLabels,
    embedding: fillUniform(new Float32Array(vocabSize * dim), 1 / dim, rng),
    weight: new Float32Array(dim * numLabels),
    bias: new Float32Array(numLabels),
  };
}

/** The same model with `vocabSize` embedding rows: old rows kept, new rows initialised as in initStaticParams. */
export function growVocabulary(p: StaticParams, vocabSize: number, seed: number): StaticParams {
  if (vocabSize <= p.vocabSize) return p;
  const embedding = new Float32Array(vocabSize * p.dim);
  embedding.set(p.embedding);
  fillUniform(embedding.subarray(p.vocabSize * p.dim), 1 / p.dim, mulberry32(seed));
  return { ...p, vocabSize, embedding, weight: p.weight.slice(), bias: p.bias.slice() };
}

export interface ForwardCache {
  /** B × dim */
  pooled: Float32Array;
  /** B × numLabels */
  logits: Float32Array;
}

/** Mean-pools each text's embedding rows into pooled[b·dim …]. */
export function meanPool(p: StaticParams, ids: Int32Array, pooled: Float32Array, off: number): void {
  const { dim, embedding } = p;
  pooled.fill(0, off, off + dim);
  const n = ids.length;
  if (n === 0) return;
  for (let t = 0; t < n; t++) {
    const row = ids[t] * dim;
    for (let d = 0; d < dim; d++) pooled[off + d] += embedding[row + d];
  }
  const inv = 1 / n;
  for (let d = 0; d < dim; d++) pooled[off + d] *= inv;
}

/** logits[b] = pooled[b] · W + bias, for rows [0, B). */
export function linear(p: StaticParams, pooled: Float32Array, logits: Float32Array, B: number): void {
  const { dim, numLabels: C, weight, bias } = p;
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < C; c++) {
      let s = bias[c];
      for (let d = 0; d < dim; d++) s += pooled[b * dim + d] * weight[d * C + c];
      logits[b * C + c] = s;
    }
  }
}

/**
 * Forward pass into caller-owned buffers (no allocation); used by the training loop. With a
 * FeaturePool the ids are token ids whose sub-word and pair rows the pool adds (feature-pool.ts);
 * without, every id is one embedding row.
 */
export function forwardInto(p: StaticParams, batchIds: Int32Array[], cache: ForwardCache, pool?: FeaturePool): void {
  if (pool) pool.forward(p, batchIds, cache.pooled);
  else for (let b = 0; b < batchIds.length; b++) meanPool(p, batchIds[b], cache.pooled, b * p.dim);
  linear(p, cache.pooled, cache.logits, batchIds.length);
}

export function forwardBatch(p: StaticParams, batchIds: Int32Array[], layout?: FeatureLayout): ForwardCache {
  const cache = {
    pooled: new Float32Array(batchIds.length * p.dim),
    logits: new Float32Array(batchIds.length * p.numLabels),
  };
  forwardInto(p, batchIds, cache, featurePoolFor(layout, p.dim, p.numLabels));
  return cache;
}

/** Numerically stable softmax of src[so … so+n) into dst[dOff … dOff+n). */
export function softmaxRow(src: ArrayLike<number>, so: number, n: number, dst: Float32Array | Float64Array, dOff: number): void {
  let max = -Infinity;
  for (let c = 0; c < n; c++) if (src[so + c] > max) max = src[so + c];
  let z = 0;
  for (let c = 0; c < n; c++) z += Math.exp(src[so + c] - max);
  for (let c = 0; c < n; c++) dst[dOff + c] = Math.exp(src[so + c] - max) / z;
}

/**
 * Mean cross-entropy over the B rows of `logits` and its gradient (already divided by B).
 * With label smoothing ε the target is q = (1−ε)·onehot + ε/C, so dlogits = (softmax − q)/B.
 * Writes into `dlogits` when given (no allocation).
 */
export function softmaxCrossEntropy(
  logits: Float32Array,
  labels: ArrayLike<number>,
  numLabels: number,
  labelSmoothing = 0,
  dlogits: Float32Array = new Float32Array(labels.length * numLabels),
): { loss: number; dlogits: Float32Array } {
  const B = labels.length;
  const C = numLabels;
  const off = labelSmoothing / C;
  let loss = 0;
  for (let b = 0; b < B; b++) {
    const o = b * C;
    let max = -Infinity;
    for (let c = 0; c < C; c++) if (logits[o + c] > max) max = logits[o + c];
    let z = 0;
    for (let c = 0; c < C; c++) z += Math.exp(logits[o + c] - max);
    const logZ = Math.log(z) + max;
    const y = labels[b];
    for (let c = 0; c < C; c++) {
      const q = (c === y ? 1 - labelSmoothing : 0) + off;
      const logp = logits[o + c] - logZ;
      if (q > 0) loss -= q * logp;
      dlogits[o + c] = (Math.exp(logp) - q) / B;
    }
  }
  return { loss: B > 0 ? loss / B : 0, dlogits };
}

/**
 * Scratch space for the sparse embedding gradient: each touched token id gets a slot, its
 * gradient row lives at rows[slot·dim …] and its coefficient vector (see backwardInto) at
 * coef[slot·width …]. slotOf is −1 for untouched ids; reset() undoes only the slots used, so a
 * step costs O(touched rows), not O(vocab).
 */
export class SparseRows {
  readonly slotOf: Int32Array;
  ids: Int32Array;
  rows: Float32Array;
  coef: Float64Array;
  count = 0;
  constructor(
    readonly vocabSize: number,
    readonly dim: number,
    /** width of the coefficient vectors: numLabels */
    readonly width: number,
    capacity = 1024,
  ) {
    this.slotOf = new Int32Array(vocabSize).fill(-1);
    this.ids = new Int32Array(capacity);
    this.rows = new Float32Array(capacity * dim);
    this.coef = new Float64Array(capacity * width);
  }
  /** The slot of `id`, zero-initialised on first use. */
  slot(id: number): number {
    let s = this.slotOf[id];
    if (s >= 0) return s;
    s = this.count++;
    if (s >= this.ids.length) this.grow();
    this.slotOf[id] = s;
    this.ids[s] = id;
    this.rows.fill(0, s * this.dim, (s + 1) * this.dim);
    this.coef.fill(0, s * this.width, (s + 1) * this.width);
    return s;
  }
  reset(): void {
    for (let i = 0; i < this.count; i++) this.slotOf[this.ids[i]] = -1;
    this.count = 0;
  }
  private grow(): void {
    const n = this.ids.length * 2;
    this.ids = grown(this.ids, n);
    this.rows = grown(this.rows, n * this.dim);
    this.coef = grown(this.coef, n * this.width);
  }
}

export interface HeadGrads {
  dWeight: Float32Array;
  dBias: Float32Array;
  /** scratch: one dpooled row */
  dpooled: Float32Array;
}

export function newHeadGrads(p: StaticParams): HeadGrads {
  return {
    dWeight: new Float32Array(p.dim * p.numLabels),
    dBias: new Float32Array(p.numLabels),
    dpooled: new Float32Array(p.dim),
  };
}

/**
 * Backward pass into caller-owned buffers: overwrites head grads, accumulates into `rows` (call
 * rows.reset() first).
 *
 * The embedding gradient uses dpooled[b] = W · dlogits[b], so
 *   dE[id] = Σ_b (count_b(id)/n_b) · W · dlogits[b] = W · a[id],  a[id] = Σ_b count_b(id)/n_b · dlogits[b]
 * When numLabels < dim (the usual case) we accumulate the numLabels-vector a[id] per token
 * occurrence and multiply by W once per touched row: per occurrence that costs numLabels
 * additions instead of dim. Otherwise each occurrence adds dpooled[b]/n_b directly.
 */
export function backwardInto(
  p: StaticParams,
  batchIds: Int32Array[],
  cache: ForwardCache,
  dlogits: Float32Array,
  head: HeadGrads,
  rows: SparseRows,
  pool?: FeaturePool,
  /** false: leave the coefficient vectors in rows.coef (rows.rows stay zero) when usesCoefficients(); the optimiser folds them (optimizer.ts adamwSparseCoefficients) */
  fold = true,
): void {
  const { dim, numLabels: C, weight } = p;
  const { dpooled } = head;
  backwardHead(p, batchIds.length, cache, dlogits, head);
  if (rows.width !== C) throw new Error(`SparseRows width ${rows.width} ≠ numLabels ${C}`);
  if (pool) {
    pool.backward(batchIds, dlogits, rows);
    if (fold) rowsFromCoefficients(weight, dim, C, rows);
    return;
  }
  if (C < dim) {
    for (let b = 0; b < batchIds.length; b++) {
      const ids = batchIds[b];
      const n = ids.length;
      if (n === 0) continue;
      const g = b * C;
      const inv = 1 / n;
      for (let t = 0; t < n; t++) {
        const o = rows.slot(ids[t]) * C;
        const a = rows.coef; // slot() may have grown it
        for (let c = 0; c < C; c++) a[o + c] += dlogits[g + c] * inv;
      }
    }
    if (fold) rowsFromCoefficients(weight, dim, C, rows);
    return;
  }
  for (let b = 0; b < batchIds.length; b++) {
    const ids = batchIds[b];
    const n = ids.length;
    if (n === 0) continue;
    const g = b * C;
    const inv = 1 / n;
    for (let d = 0; d < dim; d++) {
      let v = 0;
      for (let c = 0; c < C; c++) v += weight[d * C + c] * dlogits[g + c];
      dpooled[d] = v * inv;
    }
    for (let t = 0; t < n; t++) {
      const o = rows.slot(ids[t]) * dim;
      const r = rows.rows;
      for (let d = 0; d < dim; d++) r[o + d] += dpooled[d];
    }
  }
}

/** The head's part of backwardInto (overwrites head.dWeight and head.dBias): dW = Σ_b pooled[b] ⊗ dlogits[b], dbias = Σ_b dlogits[b]. */
export function backwardHead(p: StaticParams, B: number, cache: ForwardCache, dlogits: Float32Array, head: HeadGrads): void {
  const { dim, numLabels: C } = p;
  const { dWeight, dBias } = head;
  const { pooled } = cache;
  dWeight.fill(0);
  dBias.fill(0);
  for (let b = 0; b < B; b++) {
    const g = b * C;
    const pb = b * dim;
    for (let c = 0; c < C; c++) dBias[c] += dlogits[g + c];
    for (let d = 0; d < dim; d++) {
      const x = pooled[pb + d];
      for (let c = 0; c < C; c++) dWeight[d * C + c] += x * dlogits[g + c];
    }
  }
}

/** Whether backwardInto gathers coefficient vectors (numLabels wide) per touched row rather than dim-wide gradient rows. */
export function usesCoefficients(p: StaticParams, pool?: FeaturePool): boolean {
  return pool !== undefined || p.numLabels < p.dim;
}

/** dE[id] = W · a[id] for every touched row. */
function rowsFromCoefficients(weight: Float32Array, dim: number, C: number, rows: SparseRows): void {
  const a = rows.coef;
  const r = rows.rows;
  for (let s = 0; s < rows.count; s++) {
    const ro = s * dim;
    const ao = s * C;
    for (let d = 0; d < dim; d++) {
      let v = 0;
      for (let c = 0; c < C; c++) v += weight[d * C + c] * a[ao + c];
      r[ro + d] += v;
    }
  }
}

/** Allocating form of backwardInto: sparse embedding gradient as a Map from token id to row. */
export function backwardBatch(
  p: StaticParams,
  batchIds: Int32Array[],
  cache: ForwardCache,
  dlogits: Float32Array,
  layout?: FeatureLayout,
): { dWeight: Float32Array; dBias: Float32Array; dRows: Map<number, Float32Array> } {
  const head = newHeadGrads(p);
  const rows = new SparseRows(p.vocabSize, p.dim, p.numLabels, 64);
  // the pool's composition state comes from a forward pass over the same batch
  const pool = featurePoolFor(layout, p.dim, p.numLabels);
  pool?.forward(p, batchIds, new Float32Array(batchIds.length * p.dim));
  backwardInto(p, batchIds, cache, dlogits, head, rows, pool);
  const dRows = new Map<number, Float32Array>();
  for (let s = 0; s < rows.count; s++) dRows.set(rows.ids[s], rows.rows.slice(s * p.dim, (s + 1) * p.dim));
  return { dWeight: head.dWeight, dBias: head.dBias, dRows };
}
