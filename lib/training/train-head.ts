// Training loop of a classification head on frozen, pooled encoder features (see head-model.ts):
// minibatch AdamW over a seeded shuffle, warm-up + linear decay, label smoothing, optional class
// weights, evaluation by steps or epochs, early stopping on the eval loss with the best weights
// restored, warm starts. Same hooks, logging and cancellation as the starter's loop (train-static.ts).
import type { LossPoint, TrainArgs } from "./types";
import type { ClassWeightSpec, HeadOptions } from "../validations/head-options";
import type { HeadTrainingArguments } from "../validations/training-arguments";
import { permutation, mulberry32 } from "./rng";
import { ADAMW_DEFAULTS, adamwDense, linearSchedule, newAdamState, type AdamState, type AdamWConfig } from "./optimizer";
import { createStepLog, stopRequested, type TrainHooks } from "./step-log";
import { createBestTracker, type BestModelArgs } from "./best-model";
import { resolveTrainArgs, totalStepsFor } from "./train-static";
import {
  checkHead,
  cloneHead,
  copyHeadInto,
  HEAD_DEFAULTS,
  headBackwardInto,
  headForwardInto,
  headLoss,
  initHead,
  newHeadCache,
  newHeadGradients,
  sameHeadShape,
  type HeadActivation,
  type HeadParams,
  type HeadSpec,
  type HeadType,
} from "./head-model";


/**
 * Defaults for a head on frozen features (HF's own defaults target fine-tuning a whole transformer):
 * - learning_rate 1e-3: Adam's reference rate (Kingma & Ba) and the usual one for linear probes.
 *   HF's 5e-5 is sized for moving pretrained transformer weights a little; a head starts at zero and
 *   has to travel O(1) per weight, which at 5e-5 per step takes tens of thousands of steps.
 * - num_train_epochs 10: the features are cached, so an epoch costs milliseconds to a few seconds of
 *   matrix products; a linear probe usually needs more passes than HF's 3 to converge at 1e-3, and
 *   early stopping (early_stopping_patience) cuts it short when the eval loss stops improving.
 * - per_device_eval_batch_size 256: evaluation is only the head's matrix product.
 * - weight_decay 0, warmup 0, seed 42, no label smoothing: HF's defaults.
 * - head "linear": on pooled features of a good encoder a linear probe is the standard, convex and
 *   hard to overfit; "mlp" (one hidden layer, 256 wide, GELU) is there for harder label sets.
 */
export const HEAD_TRAIN_DEFAULTS = {
  learningRate: 1e-3,
  numTrainEpochs: 10,
  evalBatchSize: 256,
  weightDecay: 0,
  warmupRatio: 0,
  seed: 42,
  headType: "linear" as HeadType,
  hiddenSize: HEAD_DEFAULTS.hiddenSize,
  activation: HEAD_DEFAULTS.activation,
} as const;

export type { ClassWeightSpec };

export interface HeadTrainArgs extends TrainArgs, BestModelArgs {
  labelSmoothingFactor: number;
  /** HF: a positive warmup_steps overrides warmup_ratio. */
  warmupSteps: number;
  adamBeta1: number;
  adamBeta2: number;
  adamEpsilon: number;
  /** HF: clip the global gradient norm to this before each step (default 1.0; 0 = off). */
  maxGradNorm: number;
  classWeight: ClassWeightSpec | null;
  head: { type: HeadType; hiddenSize: number; activation: HeadActivation };
}

/** The configured model's head settings: what head_type, head_hidden_size and head_activation default to. */
export type HeadSettings = Partial<{ type: HeadType; hiddenSize: number; activation: HeadActivation }>;

/**
 * Fills the defaults into a request's parsed TrainingArguments and head options (checked by the
 * encoder request schema, head-options.ts): this trainer's defaults, the model's head settings,
 * the original system's batch-size rule. Early stopping evaluates every epoch unless the request says otherwise.
 */
export function resolveHeadTrainArgs(args: HeadTrainingArguments & HeadOptions, trainRowCount: number, head: HeadSettings = {}): HeadTrainArgs {
  const base = resolveTrainArgs(args, trainRowCount, HEAD_TRAIN_DEFAULTS); // best-model and early-stopping fields included
  const totalSteps = totalStepsFor(trainRowCount, base.batchSize, base.numTrainEpochs);
  const warmupArg = args.warmup_steps ?? 0;
  // HF accepts a fraction (0, 1) of the total steps here too.
  const warmupSteps = warmupArg > 0 && warmupArg < 1 ? Math.ceil(warmupArg * totalSteps) : warmupArg;
  return {
    ...base,
    labelSmoothingFactor: base.labelSmoothingFactor ?? 0,
    warmupSteps,
    adamBeta1: args.adam_beta1 ?? ADAMW_DEFAULTS.beta1,
    adamBeta2: args.adam_beta2 ?? ADAMW_DEFAULTS.beta2,
    adamEpsilon: args.adam_epsilon ?? ADAMW_DEFAULTS.eps,
    maxGradNorm: args.max_grad_norm ?? 1,
    classWeight: args.class_weight ?? null,
    head: {
      type: args.head_type ?? head.type ?? HEAD_TRAIN_DEFAULTS.headType,
      hiddenSize: args.head_hidden_size ?? head.hiddenSize ?? HEAD_TRAIN_DEFAULTS.hiddenSize,
      activation: args.head_activation ?? head.activation ?? HEAD_TRAIN_DEFAULTS.activation,
    },
  };
}

/**
 * Per-class loss weights (index = label id) from a spec. "balanced": n / (C · count_c) as
 * scikit-learn's compute_class_weight (a class absent from the training rows gets n / C).
 * A map names labels; labels it leaves out weigh 1; a name that is not a label is an error.
 */
export function resolveClassWeights(spec: ClassWeightSpec | null, labelNames: string[], trainLabels: ArrayLike<number>): Float32Array | null {
  if (!spec) return null;
  const C = labelNames.length;
  const w = new Float32Array(C).fill(1);
  if (spec === "balanced") {
    const counts = new Float64Array(C);
    for (let i = 0; i < trainLabels.length; i++) counts[trainLabels[i]]++;
    for (let c = 0; c < C; c++) w[c] = trainLabels.length / (C * Math.max(1, counts[c]));
    return w;
  }
  for (const [name, value] of Object.entries(spec)) {
    const c = labelNames.indexOf(name);
    if (c < 0) throw new RangeError(`class_weight names "${name}", which is not a label (labels: ${labelNames.join(", ")})`);
    w[c] = value;
  }
  return w;
}

// --- the loop ------------------------------------------------------------------------------------

export interface TrainHeadInput {
  /** pooled features per training row, each of length spec.inputSize */
  trainX: Float32Array[];
  trainLabels: ArrayLike<number>;
  evalX?: Float32Array[];
  evalLabels?: ArrayLike<number>;
  /** the architecture; ignored when `init` is given (its shape must then match) */
  spec: HeadSpec;
  /** warm start: continue from these weights (not modified) */
  init?: HeadParams;
  args: HeadTrainArgs;
  /** per-class loss weights (resolveClassWeights), or null */
  classWeights?: Float32Array | null;
  hooks?: TrainHooks;
}

export interface TrainHeadResult {
  head: HeadParams;
  lossCurve: LossPoint[];
  steps: number;
  /** the step whose weights were kept when the best model was restored, else null */
  bestStep: number | null;
  bestMetric: number | null;
  stoppedEarly: boolean;
  /** whether the returned weights are the best evaluation's rather than the last step's */
  restoredBest: boolean;
}

/** Rows of `rows` packed into one row-major matrix. */
export function packRows(rows: Float32Array[], width: number): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => {
    if (r.length !== width) throw new Error(`feature row ${i} has ${r.length} values, expected ${width}`);
    out.set(r, i * width);
  });
  return out;
}

/** Mean cross-entropy (plain: no smoothing, no class weights — the eval_loss of metrics.ts) and accuracy. */
export function evaluateHead(p: HeadParams, X: Float32Array, labels: ArrayLike<number>, batchSize: number): { loss: number; accuracy: number } {
  const N = labels.length;
  const D = p.inputSize;
  const C = p.numLabels;
  const B = Math.max(1, Math.min(batchSize, N));
  const cache = newHeadCache(p, B);
  let nll = 0;
  let correct = 0;
  for (let s = 0; s < N; s += B) {
    const n = Math.min(B, N - s);
    headForwardInto(p, X.subarray(s * D, (s + n) * D), n, cache);
    for (let b = 0; b < n; b++) {
      const o = b * C;
      let max = -Infinity;
      let arg = 0;
      for (let c = 0; c < C; c++) if (cache.logits[o + c] > max) (max = cache.logits[o + c]), (arg = c);
      let z = 0;
      for (let c = 0; c < C; c++) z += Math.exp(cache.logits[o + c] - max);
      const y = labels[s + b];
      nll -= cache.logits[o + y] - max - Math.log(z);
      if (arg === y) correct++;
    }
  }
  return { loss: N ? nll / N : 0, accuracy: N ? correct / N : 0 };
}

function checkLabels(name: string, X: Float32Array[], labels: ArrayLike<number>, p: HeadParams): void {
  if (X.length !== labels.length) throw new Error(`${name}: ${X.length} feature rows but ${labels.length} labels`);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!(Number.isInteger(y) && y >= 0 && y < p.numLabels)) throw new Error(`${name}: label ${y} at row ${i} is not in [0, ${p.numLabels})`);
  }
}

/** torch.nn.utils.clip_grad_norm_: scale every gradient by max/‖g‖ when the global L2 norm ‖g‖ exceeds max. */
export function clipGradNorm(tensors: { grad: Float32Array }[], maxNorm: number): number {
  let sq = 0;
  for (const { grad } of tensors) for (let i = 0; i < grad.length; i++) sq += grad[i] * grad[i];
  const norm = Math.sqrt(sq);
  const scale = maxNorm / (norm + 1e-6);
  if (scale < 1) for (const { grad } of tensors) for (let i = 0; i < grad.length; i++) grad[i] *= scale;
  return norm;
}


/** The head training starts from: a copy of `init` (which must have the requested shape), else fresh weights. */
function initialHead(input: TrainHeadInput): HeadParams {
  if (!input.init) return initHead(input.spec, input.args.seed);
  checkHead(input.init);
  if (!sameHeadShape(input.init, input.spec)) {
    throw new Error(
      `warm start: the initial head is ${input.init.type} ${input.init.inputSize}→${input.init.hiddenSize ?? ""}→${input.init.numLabels}, ` +
        `the requested one ${input.spec.type} ${input.spec.inputSize}→${input.spec.hiddenSize ?? ""}→${input.spec.numLabels}`,
    );
  }
  return cloneHead(input.init);
}

type OptimisedTensor = { theta: Float32Array; grad: Float32Array; m: AdamState; decay: boolean };

/** Every weight tensor with its gradient and AdamW state; biases get no weight decay (as in HF). */
function optimisedTensors(params: HeadParams, grads: ReturnType<typeof newHeadGradients>): OptimisedTensor[] {
  const state: OptimisedTensor[] = [];
  const add = (theta: Float32Array, grad: Float32Array, decay: boolean) => state.push({ theta, grad, m: newAdamState(theta.length), decay });
  if (params.hidden) {
    add(params.hidden.weight, grads.hidden!.weight, true);
    add(params.hidden.bias, grads.hidden!.bias, false);
  }
  add(params.out.weight, grads.out.weight, true);
  add(params.out.bias, grads.out.bias, false);
  return state;
}

export async function trainHead(input: TrainHeadInput): Promise<TrainHeadResult> {
  const { args } = input;
  const hooks = input.hooks ?? {};
  const params = initialHead(input);
  const D = params.inputSize;
  const C = params.numLabels;
  checkLabels("train", input.trainX, input.trainLabels, params);
  const canEval = !!input.evalX && !!input.evalLabels && input.evalX.length > 0;
  if (canEval) checkLabels("eval", input.evalX!, input.evalLabels!, params);
  const classWeights = input.classWeights ?? null;
  if (classWeights && classWeights.length !== C) throw new Error(`classWeights has ${classWeights.length} entries for ${C} labels`);

  const N = input.trainX.length;
  if (N === 0) throw new Error("trainHead: no training rows");
  const X = packRows(input.trainX, D);
  const Y = Int32Array.from(input.trainLabels as ArrayLike<number>);
  const evalSet = canEval ? { X: packRows(input.evalX!, D), Y: Int32Array.from(input.evalLabels as ArrayLike<number>) } : null;

  const B = Math.min(args.batchSize, N);
  const stepsPerEpoch = Math.ceil(N / B);
  const totalSteps = totalStepsFor(N, B, args.numTrainEpochs);
  const warmupSteps = args.warmupSteps > 0 ? args.warmupSteps : Math.ceil(args.warmupRatio * totalSteps);
  const cfg: AdamWConfig = { lr: args.learningRate, beta1: args.adamBeta1, beta2: args.adamBeta2, eps: args.adamEpsilon, weightDecay: args.weightDecay };
  const noDecay: AdamWConfig = { ...cfg, weightDecay: 0 }; // HF: no decay on biases
  const rng = mulberry32(args.seed);

  const cache = newHeadCache(params, B);
  const grads = newHeadGradients(params, B);
  const dlogits = new Float32Array(B * C);
  const xb = new Float32Array(B * D);
  const yb = new Int32Array(B);
  const state = optimisedTensors(params, grads);

  const steps = createStepLog(hooks, { totalSteps, stepsPerEpoch, loggingSteps: args.loggingSteps });
  const { log, checkCancelled } = steps;
  const ev = createBestTracker(args, {
    canEval: evalSet !== null,
    score: () => evaluateHead(params, evalSet!.X, evalSet!.Y, args.evalBatchSize),
    weights: { snapshot: () => cloneHead(params), saveInto: (dst) => copyHeadInto(dst, params), restoreFrom: (src) => copyHeadInto(params, src) },
    steps,
    what: "head",
  });

  await log(
    `training ${params.type} head: ${N} rows, ${C} labels, features ${D}` +
      (params.type === "mlp" ? `, hidden ${params.hiddenSize} ${params.activation}` : "") +
      `, batch ${B}, ${totalSteps} steps (${stepsPerEpoch}/epoch), lr ${args.learningRate}, warmup ${warmupSteps}` +
      (input.init ? ", warm start" : "") +
      (classWeights ? `, class weights [${[...classWeights].map((w) => w.toFixed(3)).join(", ")}]` : "") +
      (args.labelSmoothingFactor ? `, label smoothing ${args.labelSmoothingFactor}` : ""),
  );
  if (args.evaluationStrategy !== "no" && !canEval) await log("no evaluation rows: evaluation and early stopping skipped");

  let step = 0;
  await checkCancelled();
  const going = () => !ev.stop && !steps.stopDue(step);
  for (let epoch = 0; step < totalSteps && going(); epoch++) {
    const order = permutation(N, rng);
    for (let start = 0; start < N && step < totalSteps && going(); start += B) {
      const n = Math.min(N, start + B) - start;
      for (let k = 0; k < n; k++) {
        const r = order[start + k];
        xb.set(X.subarray(r * D, (r + 1) * D), k * D);
        yb[k] = Y[r];
      }
      const x = xb.subarray(0, n * D);
      const y = yb.subarray(0, n);
      headForwardInto(params, x, n, cache);
      const loss = headLoss(cache.logits.subarray(0, n * C), y, C, args.labelSmoothingFactor, classWeights, dlogits);
      headBackwardInto(params, x, n, cache, dlogits, grads);
      if (args.maxGradNorm > 0) clipGradNorm(state, args.maxGradNorm);
      const lr = linearSchedule(args.learningRate, step, warmupSteps, totalSteps);
      const t = step + 1;
      for (const s of state) adamwDense(s.decay ? cfg : noDecay, lr, t, s.theta, s.grad, s.m);
      step = t;
      await steps.afterStep(step, loss, lr);
      if (args.evaluationStrategy === "steps" && step % args.evalSteps === 0) await ev.evaluate(step);
    }
    if (args.evaluationStrategy === "epoch" && going()) await ev.evaluate(step);
    await checkCancelled();
  }
  await steps.flush(step);
  const outcome = await ev.finish(step, stopRequested(hooks) && step < totalSteps);
  return { head: params, lossCurve: steps.lossCurve, steps: step, ...outcome };
}
