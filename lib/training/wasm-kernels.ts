// The starter model's training loop on WebAssembly SIMD (kernels-wat.ts): the weights and Adam
// moments live in one shared WebAssembly.Memory (so that every training thread updates the same
// ones, as hogwild.ts needs, and the kernels reach them without copies), and each thread has its
// own scratch region in it for a batch's ids, its pooled vectors and its touched rows.
//
// The module is compiled from its text once per process with wabt (the WebAssembly Binary Toolkit
// built for JavaScript: a well-kept assembler, so that the kernels stay readable source instead of
// a committed binary) and sent to the training threads as a compiled WebAssembly.Module.
// STARTER_KERNELS=js turns them off (the JavaScript loops of static-model.ts and optimizer.ts,
// which remain the reference the kernels are tested against).
import { KERNELS_WAT } from "./kernels-wat";
import type { SparseRows } from "./static-model";
import type { AdamState, AdamWConfig } from "./optimizer";
import type { StaticParams } from "./types";

let compiled: Promise<WebAssembly.Module> | null = null;

/** The kernels' module, assembled on first use (about 0.1 s) and kept for the process. */
export function kernelsModule(): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    // imported here, not at the top: the training threads import this module but never assemble
    const wabt = await (await import("wabt")).default();
    const parsed = wabt.parseWat("starter-kernels.wat", KERNELS_WAT, { simd: true, threads: true, bulk_memory: true });
    try {
      const { buffer } = parsed.toBinary({});
      return new WebAssembly.Module(new Uint8Array(buffer));
    } finally {
      parsed.destroy();
    }
  })();
  compiled.catch(() => (compiled = null));
  return compiled;
}

/** Whether a model of this shape can train on the kernels: they step 4 floats at a time. */
export function kernelsFit(dim: number): boolean {
  return dim > 0 && dim % 4 === 0;
}

const PAGE = 65536;
const align16 = (n: number) => Math.ceil(n / 16) * 16;

/** Where one thread's scratch is in the memory (byte offsets) and how much it holds. */
export interface ScratchLayout {
  /** a batch's ids, at most `tokens` */
  ids: number;
  tokens: number;
  /** B + 1 row offsets into ids */
  offs: number;
  /** B × dim pooled vectors */
  pooled: number;
  /** touched row ids and their C-wide coefficient vectors, at most `rows` */
  rows: number;
  coef: number;
  capacity: number;
  /** the head weight transposed (C × dim) */
  wt: number;
  /** B × C dlogits */
  dl: number;
  /** each embedding row's slot in rows (−1: none), `slots` of them (the vocabulary's rows) */
  slotOf: number;
  slots: number;
}

/** What a training thread needs to run the kernels: the module, the memory and its own scratch. */
export interface KernelSetup {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  scratch: ScratchLayout[];
}

/**
 * A shared memory sized for the weights, the moments and `threads` scratch regions; `alloc` hands
 * out zeroed Float32Arrays from it in order (the weights and moments, as copyParams and
 * newStaticMoments ask for them), `setup()` the scratch.
 */
export class KernelArena {
  readonly memory: WebAssembly.Memory;
  private at = 0;
  private readonly scratch: ScratchLayout[] = [];

  constructor(
    readonly module: WebAssembly.Module,
    p: Pick<StaticParams, "vocabSize" | "dim" | "numLabels">,
    /** maxTouchedRows: the most embedding rows one step can touch (a batch's tokens, or every row with sub-word features) */
    shape: { batchSize: number; maxBatchTokens: number; maxTouchedRows: number; threads: number },
  ) {
    const { vocabSize: V, dim, numLabels: C } = p;
    const tensors = 3 * (align16(4 * V * dim) + align16(4 * dim * C) + align16(4 * C));
    const capacity = Math.max(1, Math.min(V, shape.maxTouchedRows));
    // the weights and moments first (alloc), then each thread's scratch; the memory is as long as that
    let s = tensors;
    const take = (n: number) => {
      const o = s;
      s += align16(n);
      return o;
    };
    for (let t = 0; t < shape.threads; t++) {
      this.scratch.push({
        ids: take(4 * shape.maxBatchTokens),
        tokens: shape.maxBatchTokens,
        offs: take(4 * (shape.batchSize + 1)),
        pooled: take(4 * shape.batchSize * dim),
        rows: take(4 * capacity),
        coef: take(4 * capacity * C),
        capacity,
        wt: take(4 * C * dim),
        dl: take(4 * shape.batchSize * C),
        slotOf: take(4 * V),
        slots: V,
      });
    }
    const pages = Math.ceil(s / PAGE);
    if (pages > 65536) throw new Error(`the starter model's weights need ${(s / 2 ** 30).toFixed(1)} GiB: more than WebAssembly's 4 GiB`);
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    this.limit = tensors;
  }

  /** where the weights' part of the memory ends */
  private readonly limit: number;

  /** A zeroed Float32Array of n elements from the weights' part of the memory. */
  readonly alloc = (n: number): Float32Array => {
    const o = this.at;
    if (o + 4 * n > this.limit) throw new Error("KernelArena: more weights than it was sized for");
    this.at = align16(o + 4 * n);
    return new Float32Array(this.memory.buffer, o, n);
  };

  setup(): KernelSetup {
    return { module: this.module, memory: this.memory, scratch: this.scratch };
  }
}

interface Exports {
  meanPool(ids: number, offs: number, B: number, E: number, pooled: number, dim: number): void;
  adamRows(
    rows: number,
    count: number,
    coef: number,
    C: number,
    wt: number,
    dim: number,
    theta: number,
    m: number,
    v: number,
    stepSize: number,
    invSqrtBc2: number,
    eps: number,
    decay: number,
    b1: number,
    b2: number,
  ): void;
  gatherRows(ids: number, offs: number, B: number, dl: number, C: number, slotOf: number, rows: number, coef: number): number;
  resetSlots(rows: number, count: number, slotOf: number): void;
}

/** One thread's use of the kernels (its own scratch region; the weights are everyone's). */
export class StepKernels {
  private readonly fn: Exports;
  private readonly s: ScratchLayout;
  private readonly ids: Int32Array;
  private readonly offs: Int32Array;
  /** the batch's pooled vectors (B × dim), written by meanPool */
  readonly pooled: Float32Array;
  /** the batch's dlogits (B × C): softmaxCrossEntropy writes them, backwardAdam reads them */
  readonly dlogits: Float32Array;
  private readonly rowIds: Int32Array;
  private readonly coef: Float32Array;
  private readonly wt: Float32Array;
  private batchRows = 0;

  constructor(
    setup: KernelSetup,
    thread: number,
    private readonly dim: number,
    private readonly C: number,
    batchSize: number,
  ) {
    const s = setup.scratch[thread];
    if (!s) throw new Error(`StepKernels: no scratch region for thread ${thread}`);
    this.s = s;
    this.fn = new WebAssembly.Instance(setup.module, { env: { memory: setup.memory } }).exports as unknown as Exports;
    const buf = setup.memory.buffer;
    this.ids = new Int32Array(buf, s.ids, s.tokens);
    this.offs = new Int32Array(buf, s.offs, batchSize + 1);
    this.pooled = new Float32Array(buf, s.pooled, batchSize * dim);
    this.dlogits = new Float32Array(buf, s.dl, batchSize * C);
    this.rowIds = new Int32Array(buf, s.rows, s.capacity);
    this.coef = new Float32Array(buf, s.coef, s.capacity * C);
    this.wt = new Float32Array(buf, s.wt, C * dim);
    new Int32Array(buf, s.slotOf, s.slots).fill(-1);
  }

  /** pooled[b·dim …] = the mean of batch[b]'s embedding rows (static-model.ts meanPool); keeps the batch's ids for backwardAdam. */
  meanPool(embedding: Float32Array, batch: Int32Array[]): void {
    const { ids, offs } = this;
    let at = 0;
    offs[0] = 0;
    for (let b = 0; b < batch.length; b++) {
      const x = batch[b];
      if (at + x.length > ids.length) throw new Error(`StepKernels: a batch of more than ${ids.length} tokens`);
      ids.set(x, at);
      at += x.length;
      offs[b + 1] = at;
    }
    this.batchRows = batch.length;
    this.fn.meanPool(this.s.ids, this.s.offs, batch.length, embedding.byteOffset, this.s.pooled, this.dim);
  }

  /**
   * After meanPool and softmaxCrossEntropy into `dlogits` on the same batch: the embedding's part of
   * the step, backwardInto's token rows (unfolded) then adamwSparseCoefficients, without leaving
   * the kernels.
   */
  backwardAdam(cfg: AdamWConfig, lr: number, t: number, theta: Float32Array, weight: Float32Array, state: AdamState): void {
    const s = this.s;
    this.transposeHead(weight);
    const n = this.fn.gatherRows(s.ids, s.offs, this.batchRows, s.dl, this.C, s.slotOf, s.rows, s.coef);
    this.update(cfg, lr, t, theta, state, n);
    this.fn.resetSlots(s.rows, n, s.slotOf);
  }

  /** optimizer.ts adamwSparseCoefficients on the kernels, for rows gathered in JavaScript (feature-pool.ts): the same update in f32 arithmetic. */
  adamRows(cfg: AdamWConfig, lr: number, t: number, theta: Float32Array, rows: SparseRows, weight: Float32Array, state: AdamState): void {
    const n = rows.count;
    if (n > this.s.capacity) throw new Error(`StepKernels: ${n} touched rows, room for ${this.s.capacity}`);
    this.rowIds.set(rows.ids.subarray(0, n));
    const a = rows.coef;
    const coef = this.coef;
    for (let i = 0; i < n * this.C; i++) coef[i] = a[i];
    this.transposeHead(weight);
    this.update(cfg, lr, t, theta, state, n);
  }

  private transposeHead(weight: Float32Array): void {
    const { dim, C, wt } = this;
    for (let d = 0; d < dim; d++) for (let c = 0; c < C; c++) wt[c * dim + d] = weight[d * C + c];
  }

  private update(cfg: AdamWConfig, lr: number, t: number, theta: Float32Array, state: AdamState, n: number): void {
    const s = this.s;
    const bc1 = 1 - Math.pow(cfg.beta1, t);
    const bc2 = 1 - Math.pow(cfg.beta2, t);
    this.fn.adamRows(
      s.rows,
      n,
      s.coef,
      this.C,
      s.wt,
      this.dim,
      theta.byteOffset,
      state.m.byteOffset,
      state.v.byteOffset,
      lr / bc1,
      1 / Math.sqrt(bc2),
      cfg.eps,
      1 - lr * cfg.weightDecay,
      cfg.beta1,
      cfg.beta2,
    );
  }
}
