// AdamW (Loshchilov & Hutter): Adam moments, weight decay applied to the weights directly
// ("decoupled"), not added to the gradient.
//
//   m ← β1·m + (1−β1)·g          v ← β2·v + (1−β2)·g²
//   m̂ = m / (1−β1^t)             v̂ = v / (1−β2^t)
//   θ ← θ − lr·( m̂ / (√v̂ + ε) + λ·θ )
//
// The head (W, bias) is updated densely every step. The embedding is updated lazily, as in
// PyTorch's SparseAdam / TF's LazyAdam: only rows the batch touched have their moments and
// weights updated (and decayed), with the bias correction of the global step t. Untouched rows
// keep stale moments instead of decaying them towards zero; that is the usual trade — a step
// costs O(rows touched · dim) instead of O(vocab · dim) — and it is what makes training on a
// 30k-word vocabulary cheap.
import type { SparseRows } from "./static-model";

export interface AdamWConfig {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export const ADAMW_DEFAULTS: Omit<AdamWConfig, "lr"> = {
  // Hugging Face TrainingArguments defaults.
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0,
};

/** Moment buffers for one parameter tensor. */
export interface AdamState {
  m: Float32Array;
  v: Float32Array;
}

export function newAdamState(size: number): AdamState {
  return { m: new Float32Array(size), v: new Float32Array(size) };
}

/** Scalars shared by every element at step t (1-based): lr after bias correction. */
function stepScalars(cfg: AdamWConfig, lr: number, t: number) {
  const bc1 = 1 - Math.pow(cfg.beta1, t);
  const bc2 = 1 - Math.pow(cfg.beta2, t);
  return { stepSize: lr / bc1, sqrtBc2: Math.sqrt(bc2), decay: 1 - lr * cfg.weightDecay };
}

/** θ[o+i] for i < n, with gradient g[go+i]. */
function adamwRange(
  cfg: AdamWConfig,
  theta: Float32Array,
  o: number,
  g: Float32Array,
  go: number,
  n: number,
  s: AdamState,
  k: { stepSize: number; sqrtBc2: number; decay: number },
): void {
  const { beta1: b1, beta2: b2, eps } = cfg;
  const { m, v } = s;
  for (let i = 0; i < n; i++) {
    const gi = g[go + i];
    const j = o + i;
    const mj = (m[j] = b1 * m[j] + (1 - b1) * gi);
    const vj = (v[j] = b2 * v[j] + (1 - b2) * gi * gi);
    // decoupled decay first, then the Adam step: θ·(1−lr·λ) − lr·m̂/(√v̂+ε)
    theta[j] = theta[j] * k.decay - (k.stepSize * mj) / (Math.sqrt(vj) / k.sqrtBc2 + eps);
  }
}

/** Dense AdamW step on a whole tensor. `t` is the 1-based step number. */
export function adamwDense(cfg: AdamWConfig, lr: number, t: number, theta: Float32Array, grad: Float32Array, s: AdamState): void {
  adamwRange(cfg, theta, 0, grad, 0, theta.length, s, stepScalars(cfg, lr, t));
}

/** Lazy AdamW step on the embedding rows present in `rows` (row r of theta starts at r·dim). */
export function adamwSparseRows(cfg: AdamWConfig, lr: number, t: number, theta: Float32Array, rows: SparseRows, s: AdamState): void {
  const k = stepScalars(cfg, lr, t);
  const dim = rows.dim;
  for (let slot = 0; slot < rows.count; slot++) {
    adamwRange(cfg, theta, rows.ids[slot] * dim, rows.rows, slot * dim, dim, s, k);
  }
}

/**
 * adamwSparseRows on the rows of a backward pass left unfolded (static-model.ts backwardInto with
 * fold = false): each touched row's gradient W · a[row] (W is dim × C, a the row's coefficient
 * vector) is formed one element at a time and applied at once, instead of being written out as a
 * dim-wide row first and read back. Same update up to float rounding; about a third less time in
 * the step's most expensive part.
 */
export function adamwSparseCoefficients(cfg: AdamWConfig, lr: number, t: number, theta: Float32Array, rows: SparseRows, weight: Float32Array, s: AdamState): void {
  const { stepSize, sqrtBc2, decay } = stepScalars(cfg, lr, t);
  const { beta1: b1, beta2: b2, eps } = cfg;
  const { m, v } = s;
  const dim = rows.dim;
  const C = rows.width;
  const a = rows.coef;
  for (let slot = 0; slot < rows.count; slot++) {
    const o = rows.ids[slot] * dim;
    const ao = slot * C;
    for (let d = 0; d < dim; d++) {
      const w = d * C;
      let g = 0;
      let c = 0;
      for (; c + 4 <= C; c += 4) g += weight[w + c] * a[ao + c] + weight[w + c + 1] * a[ao + c + 1] + weight[w + c + 2] * a[ao + c + 2] + weight[w + c + 3] * a[ao + c + 3];
      for (; c < C; c++) g += weight[w + c] * a[ao + c];
      const j = o + d;
      const mj = (m[j] = b1 * m[j] + (1 - b1) * g);
      const vj = (v[j] = b2 * v[j] + (1 - b2) * g * g);
      theta[j] = theta[j] * decay - (stepSize * mj) / (Math.sqrt(vj) / sqrtBc2 + eps);
    }
  }
}

/**
 * Hugging Face's "linear" schedule: lr rises linearly over `warmupSteps`, then falls linearly to
 * 0 at `totalSteps`. `step` is 0-based (the lr used for the step-th update). Unlike Hugging Face,
 * warm-up step k uses (k+1)/warmupSteps, so the first update is not wasted with lr = 0.
 */
export function linearSchedule(baseLr: number, step: number, warmupSteps: number, totalSteps: number): number {
  if (step < warmupSteps) return (baseLr * (step + 1)) / warmupSteps;
  const rest = totalSteps - warmupSteps;
  if (rest <= 0) return baseLr;
  return baseLr * Math.max(0, (totalSteps - step) / rest);
}
