// A classification head on frozen, pooled encoder features, forward and backward by hand.
//
// "linear":  logits = x · W + b                                   (W is inputSize × numLabels)
// "mlp":     z = x · W1 + b1,  a = act(z),  logits = a · W2 + b2  (W1: inputSize × hiddenSize,
//                                                                  W2: hiddenSize × numLabels)
//   act = ReLU, or GELU in its tanh form (Hendrycks & Gimpel; HF's "gelu_new"/"gelu_pytorch_tanh"):
//     gelu(z) = ½·z·(1 + tanh(u)),  u = √(2/π)·(z + 0.044715·z³)
//   It is built from ops every ONNX runtime has (Tanh, Mul, Add), and Math.tanh matches them, so the
//   exported head and this code agree to float rounding. Its derivative:
//     gelu'(z) = ½·(1 + tanh(u)) + ½·z·(1 − tanh²(u))·√(2/π)·(1 + 3·0.044715·z²)
//
// Loss: per-row cross-entropy against q = (1−ε)·onehot(y) + ε/C (label smoothing ε), averaged with
// row weights s_i = classWeight[y_i] (all 1 without class weights):
//     loss = Σ_i s_i·CE_i / Σ_i s_i,   dlogits_i = s_i·(softmax_i − q_i) / Σ_i s_i
// (With both class weights and smoothing this weights a row's whole smoothed loss by its true class;
// PyTorch's CrossEntropyLoss(weight, label_smoothing) instead weights each class's smoothing term by
// that class's weight. Without smoothing the two are identical.)
//
// Backward:
//   dW2 = aᵀ · dlogits,  db2 = Σ_b dlogits
//   da  = dlogits · W2ᵀ,  dz = da ⊙ act'(z)
//   dW1 = xᵀ · dz,       db1 = Σ_b dz
import { fillUniform, mulberry32 } from "./rng";
import { ProbabilityRows } from "./probability-rows";
import { softmaxCrossEntropy, softmaxRow } from "./static-model";

export type HeadType = "linear" | "mlp";
export type HeadActivation = "gelu" | "relu";

export interface DenseLayer {
  /** in × out, row-major (weight[i * out + j]) */
  weight: Float32Array;
  /** out */
  bias: Float32Array;
}

export interface HeadParams {
  type: HeadType;
  /** width of the pooled features (the encoder's hidden size) */
  inputSize: number;
  numLabels: number;
  /** mlp only: width of the hidden layer */
  hiddenSize?: number;
  /** mlp only */
  activation?: HeadActivation;
  /** mlp only: inputSize × hiddenSize */
  hidden?: DenseLayer;
  /** (hiddenSize for mlp, else inputSize) × numLabels */
  out: DenseLayer;
}

export interface HeadSpec {
  type: HeadType;
  inputSize: number;
  numLabels: number;
  hiddenSize?: number;
  activation?: HeadActivation;
}

export const HEAD_DEFAULTS = {
  /** mlp hidden width: 256 is a common probe width; it has ~200k weights on a 768-wide encoder. */
  hiddenSize: 256,
  activation: "gelu" as HeadActivation,
};

/**
 * Initial weights. The output layer starts at zero (every class equally likely at step 0, the
 * linear head's loss is convex so nothing is lost); the mlp's hidden layer starts like PyTorch's
 * nn.Linear, U(−1/√in, 1/√in) for weight and bias, seeded.
 */
export function initHead(spec: HeadSpec, seed: number): HeadParams {
  const { type, inputSize, numLabels } = spec;
  if (!(inputSize >= 1 && numLabels >= 1)) throw new RangeError(`head needs inputSize ≥ 1 and numLabels ≥ 1`);
  if (type === "linear") {
    return { type, inputSize, numLabels, out: { weight: new Float32Array(inputSize * numLabels), bias: new Float32Array(numLabels) } };
  }
  if (type !== "mlp") throw new RangeError(`head type must be "linear" or "mlp", got ${JSON.stringify(type)}`);
  const H = spec.hiddenSize ?? HEAD_DEFAULTS.hiddenSize;
  const activation = spec.activation ?? HEAD_DEFAULTS.activation;
  if (!(Number.isInteger(H) && H >= 1)) throw new RangeError(`hiddenSize must be a positive integer, got ${H}`);
  if (activation !== "gelu" && activation !== "relu") throw new RangeError(`activation must be "gelu" or "relu", got ${JSON.stringify(activation)}`);
  const rng = mulberry32(seed);
  const bound = 1 / Math.sqrt(inputSize);
  return {
    type,
    inputSize,
    numLabels,
    hiddenSize: H,
    activation,
    hidden: { weight: fillUniform(new Float32Array(inputSize * H), bound, rng), bias: fillUniform(new Float32Array(H), bound, rng) },
    out: { weight: new Float32Array(H * numLabels), bias: new Float32Array(numLabels) },
  };
}

export function cloneHead(p: HeadParams): HeadParams {
  return {
    ...p,
    hidden: p.hidden ? { weight: p.hidden.weight.slice(), bias: p.hidden.bias.slice() } : undefined,
    out: { weight: p.out.weight.slice(), bias: p.out.bias.slice() },
  };
}

/** Copies weights from `src` into `dst` (same shapes). */
export function copyHeadInto(dst: HeadParams, src: HeadParams): void {
  dst.out.weight.set(src.out.weight);
  dst.out.bias.set(src.out.bias);
  if (dst.hidden && src.hidden) {
    dst.hidden.weight.set(src.hidden.weight);
    dst.hidden.bias.set(src.hidden.bias);
  }
}

/** Throws unless the arrays have the sizes the shape fields say. */
export function checkHead(p: HeadParams): void {
  const C = p.numLabels;
  if (p.type === "mlp") {
    const H = p.hiddenSize ?? 0;
    if (!p.hidden || p.hidden.weight.length !== p.inputSize * H || p.hidden.bias.length !== H) throw new Error("mlp head: hidden layer sizes do not match inputSize/hiddenSize");
    if (p.activation !== "gelu" && p.activation !== "relu") throw new Error(`mlp head: unknown activation ${JSON.stringify(p.activation)}`);
    if (p.out.weight.length !== H * C || p.out.bias.length !== C) throw new Error("mlp head: output layer sizes do not match hiddenSize/numLabels");
  } else if (p.type === "linear") {
    if (p.out.weight.length !== p.inputSize * C || p.out.bias.length !== C) throw new Error("linear head: sizes do not match inputSize/numLabels");
  } else {
    throw new Error(`unknown head type ${JSON.stringify((p as HeadParams).type)}`);
  }
}

/** Same architecture (type, sizes, activation): a warm start can continue from it. */
export function sameHeadShape(a: HeadSpec, b: HeadSpec): boolean {
  return (
    a.type === b.type &&
    a.inputSize === b.inputSize &&
    a.numLabels === b.numLabels &&
    (a.type === "linear" || ((a.hiddenSize ?? HEAD_DEFAULTS.hiddenSize) === (b.hiddenSize ?? HEAD_DEFAULTS.hiddenSize) && (a.activation ?? HEAD_DEFAULTS.activation) === (b.activation ?? HEAD_DEFAULTS.activation)))
  );
}

export const GELU_C = Math.sqrt(2 / Math.PI);
export const GELU_K = 0.044715;

export function gelu(z: number): number {
  return 0.5 * z * (1 + Math.tanh(GELU_C * (z + GELU_K * z * z * z)));
}

export function geluGrad(z: number): number {
  const t = Math.tanh(GELU_C * (z + GELU_K * z * z * z));
  return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * GELU_C * (1 + 3 * GELU_K * z * z);
}

/** out[b, 0..n) = x[b, 0..k) · W (k × n) + bias, for B rows. Float64 accumulation. */
function denseForward(x: Float32Array, B: number, k: number, layer: DenseLayer, n: number, out: Float32Array): void {
  const { weight: W, bias } = layer;
  const acc = new Float64Array(n);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < n; j++) acc[j] = bias[j];
    const xo = b * k;
    for (let i = 0; i < k; i++) {
      const xi = x[xo + i];
      if (xi === 0) continue;
      const wo = i * n;
      for (let j = 0; j < n; j++) acc[j] += xi * W[wo + j];
    }
    out.set(acc, b * n);
  }
}

/** Buffers for one batch of up to `capacity` rows (reused across steps). */
export interface HeadCache {
  capacity: number;
  /** mlp: pre-activations z [B × H] */
  z: Float32Array;
  /** mlp: activations a [B × H] */
  a: Float32Array;
  logits: Float32Array;
}

export function newHeadCache(p: HeadParams, capacity: number): HeadCache {
  const H = p.type === "mlp" ? p.hiddenSize! : 0;
  return { capacity, z: new Float32Array(capacity * H), a: new Float32Array(capacity * H), logits: new Float32Array(capacity * p.numLabels) };
}

/** Forward pass of B rows of `x` (B × inputSize, row-major) into cache (logits in cache.logits[0 … B·C)). */
export function headForwardInto(p: HeadParams, x: Float32Array, B: number, cache: HeadCache): void {
  if (B > cache.capacity) throw new Error(`batch of ${B} rows exceeds the cache's ${cache.capacity}`);
  const C = p.numLabels;
  if (p.type === "linear") {
    denseForward(x, B, p.inputSize, p.out, C, cache.logits);
    return;
  }
  const H = p.hiddenSize!;
  denseForward(x, B, p.inputSize, p.hidden!, H, cache.z);
  const { z, a } = cache;
  const n = B * H;
  if (p.activation === "relu") for (let i = 0; i < n; i++) a[i] = z[i] > 0 ? z[i] : 0;
  else for (let i = 0; i < n; i++) a[i] = gelu(z[i]);
  denseForward(a, B, H, p.out, C, cache.logits);
}

/** Logits of every row of `x` (B × inputSize), allocating. */
export function headLogits(p: HeadParams, x: Float32Array): Float32Array {
  const B = Math.floor(x.length / p.inputSize);
  const cache = newHeadCache(p, B);
  headForwardInto(p, x, B, cache);
  return cache.logits.slice(0, B * p.numLabels);
}

/** Softmax probabilities per row of `x`. */
export function headPredict(p: HeadParams, x: Float32Array): ProbabilityRows {
  const logits = headLogits(p, x);
  const C = p.numLabels;
  const out = new Float32Array(logits.length);
  for (let o = 0; o < logits.length; o += C) softmaxRow(logits, o, C, out, o);
  return new ProbabilityRows(out, C);
}

export interface HeadGradients {
  hidden?: DenseLayer;
  out: DenseLayer;
  /** scratch: da/dz for one batch [capacity × H] */
  dz: Float32Array;
}

export function newHeadGradients(p: HeadParams, capacity: number): HeadGradients {
  const C = p.numLabels;
  if (p.type === "linear") return { out: { weight: new Float32Array(p.inputSize * C), bias: new Float32Array(C) }, dz: new Float32Array(0) };
  const H = p.hiddenSize!;
  return {
    hidden: { weight: new Float32Array(p.inputSize * H), bias: new Float32Array(H) },
    out: { weight: new Float32Array(H * C), bias: new Float32Array(C) },
    dz: new Float32Array(capacity * H),
  };
}

/** dW += inᵀ · dOut, db += Σ_b dOut, for B rows (overwrites: callers zero first via this function). */
function denseBackward(input: Float32Array, B: number, k: number, dOut: Float32Array, n: number, g: DenseLayer): void {
  const { weight: dW, bias: db } = g;
  dW.fill(0);
  db.fill(0);
  for (let b = 0; b < B; b++) {
    const go = b * n;
    for (let j = 0; j < n; j++) db[j] += dOut[go + j];
    const xo = b * k;
    for (let i = 0; i < k; i++) {
      const xi = input[xo + i];
      if (xi === 0) continue;
      const wo = i * n;
      for (let j = 0; j < n; j++) dW[wo + j] += xi * dOut[go + j];
    }
  }
}

/** Gradients of the loss w.r.t. every weight, from dlogits (B × C) and the forward cache. Overwrites `g`. */
export function headBackwardInto(p: HeadParams, x: Float32Array, B: number, cache: HeadCache, dlogits: Float32Array, g: HeadGradients): void {
  const C = p.numLabels;
  if (p.type === "linear") {
    denseBackward(x, B, p.inputSize, dlogits, C, g.out);
    return;
  }
  const H = p.hiddenSize!;
  const { z, a } = cache;
  denseBackward(a, B, H, dlogits, C, g.out);
  // dz = (dlogits · W2ᵀ) ⊙ act'(z)
  const W2 = p.out.weight;
  const dz = g.dz;
  const relu = p.activation === "relu";
  for (let b = 0; b < B; b++) {
    const go = b * C;
    for (let h = 0; h < H; h++) {
      let s = 0;
      const wo = h * C;
      for (let c = 0; c < C; c++) s += dlogits[go + c] * W2[wo + c];
      const zi = z[b * H + h];
      dz[b * H + h] = s * (relu ? (zi > 0 ? 1 : 0) : geluGrad(zi));
    }
  }
  denseBackward(x, B, p.inputSize, dz, H, g.hidden!);
}

/**
 * Weighted, smoothed cross-entropy over B rows (see the header): returns the loss and writes
 * dlogits. `classWeights` (length C) is optional; without it this is softmaxCrossEntropy.
 */
export function headLoss(
  logits: Float32Array,
  labels: ArrayLike<number>,
  numLabels: number,
  labelSmoothing: number,
  classWeights: Float32Array | null,
  dlogits: Float32Array,
): number {
  const B = labels.length;
  if (!classWeights) return softmaxCrossEntropy(logits, labels, numLabels, labelSmoothing, dlogits).loss;
  const C = numLabels;
  let wSum = 0;
  for (let b = 0; b < B; b++) wSum += classWeights[labels[b]];
  if (!(wSum > 0)) {
    dlogits.fill(0, 0, B * C);
    return 0;
  }
  let loss = 0;
  for (let b = 0; b < B; b++) {
    const y = labels[b];
    const rowGrad = dlogits.subarray(b * C, (b + 1) * C);
    // B = 1 call: rowGrad = softmax − q, its loss is the row's CE.
    const ce = softmaxCrossEntropy(logits.subarray(b * C, (b + 1) * C), [y], C, labelSmoothing, rowGrad).loss;
    const s = classWeights[y] / wSum;
    loss += s * ce;
    for (let c = 0; c < C; c++) rowGrad[c] *= s;
  }
  return loss;
}
