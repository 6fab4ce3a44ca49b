// One optimiser step of the starter model: forward, cross-entropy, backward, AdamW on the head
// (dense) and on the embedding rows the batch touched (lazy). The single-thread loop
// (train-static.ts) and each thread of the multi-thread loop (hogwild-thread.ts) run the same
// step; the threads over weights and moments that live in SharedArrayBuffers.
import { backwardHead, backwardInto, forwardInto, linear, newHeadGrads, softmaxCrossEntropy, SparseRows, usesCoefficients, type ForwardCache, type HeadGrads } from "./static-model";
import { adamwDense, adamwSparseCoefficients, adamwSparseRows, type AdamState, type AdamWConfig } from "./optimizer";
import { featurePoolFor, type FeatureLayout, type FeaturePool } from "./feature-pool";
import type { StaticParams } from "./types";
import type { Rng } from "./rng";
import type { TrainPieces } from "./train-pieces";
import { StepKernels, type KernelSetup } from "./wasm-kernels";

/** What a training loop (train-static.ts serialLoop, hogwild.ts hogwildLoop) is given. */
export interface LoopPlan {
  params: StaticParams;
  moments: StaticMoments;
  cfg: AdamWConfig;
  smoothing: number;
  layout?: FeatureLayout;
  /** the training rows, a piece at a time (train-pieces.ts) */
  pieces: TrainPieces;
  batchSize: number;
  totalSteps: number;
  /** the learning rate of the step-th update (0-based) */
  schedule(step: number): number;
  /** each epoch's order of pieces and each piece's order of rows are drawn from it in turn (train-pieces.ts) */
  rng: Rng;
  /** called for steps 1 … totalSteps in order, with that step's loss and learning rate */
  afterStep(step: number, loss: number, lr: number): Promise<void>;
  /** called after each epoch's last step */
  afterEpoch(step: number): Promise<void>;
  /** true once training should end (early stopping, or the user's stop): checked after each step on one thread, after each piece on several */
  stopped(step: number): boolean;
  /** the WebAssembly kernels, when the params and moments live in their memory (wasm-kernels.ts); else the JavaScript loops */
  kernels?: KernelSetup;
}

/** AdamW's moments for each tensor of the starter model. */
export interface StaticMoments {
  embedding: AdamState;
  weight: AdamState;
  bias: AdamState;
}

export function newStaticMoments(p: StaticParams, alloc: (n: number) => Float32Array = (n) => new Float32Array(n)): StaticMoments {
  const state = (n: number): AdamState => ({ m: alloc(n), v: alloc(n) });
  return { embedding: state(p.embedding.length), weight: state(p.weight.length), bias: state(p.bias.length) };
}

/** A step's scratch buffers, allocated once per loop (or thread) for batches of at most `batchSize` rows. */
export class StaticStepper {
  private readonly cache: ForwardCache;
  private readonly dlogits: Float32Array;
  private readonly head: HeadGrads;
  private readonly rows: SparseRows;
  readonly pool: FeaturePool | undefined;
  private readonly biasCfg: AdamWConfig;
  private readonly kernels: StepKernels | undefined;

  constructor(
    private readonly params: StaticParams,
    private readonly moments: StaticMoments,
    private readonly cfg: AdamWConfig,
    batchSize: number,
    private readonly smoothing: number,
    layout?: FeatureLayout,
    /** the kernels' memory and which scratch region of it is this loop's */
    kernels?: { setup: KernelSetup; thread: number },
  ) {
    const { dim, numLabels: C } = params;
    this.kernels = kernels ? new StepKernels(kernels.setup, kernels.thread, dim, C, batchSize) : undefined;
    this.cache = { pooled: this.kernels?.pooled ?? new Float32Array(batchSize * dim), logits: new Float32Array(batchSize * C) };
    this.dlogits = this.kernels?.dlogits ?? new Float32Array(batchSize * C);
    this.head = newHeadGrads(params);
    this.rows = new SparseRows(params.vocabSize, dim, C, 4096);
    this.pool = featurePoolFor(layout, dim, C);
    this.biasCfg = { ...cfg, weightDecay: 0 }; // HF: no decay on biases
  }

  /** One update at learning rate `lr` as the t-th step (1-based, for Adam's bias correction); returns the batch's mean loss. */
  step(batch: Int32Array[], labels: ArrayLike<number>, lr: number, t: number): number {
    const { params: p, moments: m, cfg, kernels } = this;
    const coefficients = usesCoefficients(p, this.pool);
    if (kernels && !this.pool && coefficients) {
      // the plain model (long texts): the embedding's work stays in the kernels
      kernels.meanPool(p.embedding, batch);
      linear(p, this.cache.pooled, this.cache.logits, batch.length);
      const { loss } = softmaxCrossEntropy(this.cache.logits, labels, p.numLabels, this.smoothing, this.dlogits);
      backwardHead(p, batch.length, this.cache, this.dlogits, this.head);
      kernels.backwardAdam(cfg, lr, t, p.embedding, p.weight, m.embedding);
      this.updateHead(lr, t);
      return loss;
    }
    forwardInto(p, batch, this.cache, this.pool);
    const { loss } = softmaxCrossEntropy(this.cache.logits, labels, p.numLabels, this.smoothing, this.dlogits);
    this.rows.reset();
    // The embedding rows' gradients need the head's weights before this step's update of them.
    backwardInto(p, batch, this.cache, this.dlogits, this.head, this.rows, this.pool, !coefficients);
    if (coefficients && kernels) kernels.adamRows(cfg, lr, t, p.embedding, this.rows, p.weight, m.embedding);
    else if (coefficients) adamwSparseCoefficients(cfg, lr, t, p.embedding, this.rows, p.weight, m.embedding);
    else adamwSparseRows(cfg, lr, t, p.embedding, this.rows, m.embedding);
    this.updateHead(lr, t);
    return loss;
  }

  private updateHead(lr: number, t: number): void {
    const { params: p, moments: m, cfg } = this;
    adamwDense(cfg, lr, t, p.weight, this.head.dWeight, m.weight);
    adamwDense(this.biasCfg, lr, t, p.bias, this.head.dBias, m.bias);
  }
}
