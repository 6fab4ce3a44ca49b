// The training loop of the starter model: minibatch AdamW over a seeded shuffle, with logging,
// evaluation, cancellation and regular yields to the event loop (so a worker's heartbeat runs), on
// this thread (deterministic) or on several (hogwild.ts). Worker-only: it starts threads, so the
// web bundle reads the arguments' defaults from train-args.ts instead.
import { createStepLog, stopRequested, type TrainHooks } from "./step-log";
import { createBestTracker, resolveBestModelArgs, type BestModelArgs, type BestOutcome } from "./best-model";
import type { LossPoint, StaticParams, TrainArgs } from "./types";
import { permutation, mulberry32 } from "./rng";
import { forwardInto, softmaxCrossEntropy, type ForwardCache } from "./static-model";
import { ADAMW_DEFAULTS, linearSchedule } from "./optimizer";
import { featurePoolFor, type FeaturePool, type FeatureLayout } from "./feature-pool";
import { newStaticMoments, StaticStepper, type LoopPlan } from "./static-step";
import { hogwildLoop } from "./hogwild";
import { sharedFloat32 } from "./typed-arrays";
import { inMemoryPieces, pieceOrder, stepsPerEpochOf, type TrainPieces } from "./train-pieces";
import { rowsReader, type RowsReader } from "./token-rows";
import { KernelArena, kernelsFit, kernelsModule } from "./wasm-kernels";

export { resolveTrainArgs, STARTER_DEFAULTS, totalStepsFor, type StarterTrainArgs, type TrainDefaults } from "./train-args";

// --- the loop ------------------------------------------------------------------------------------



export type { TrainHooks };

export interface TrainStaticInput {
  /** the training rows in memory, with their labels; or `pieces` */
  trainIds?: Int32Array[];
  trainLabels?: ArrayLike<number>;
  /**
   * The training rows a piece at a time (train-pieces.ts; token-spill.ts's buckets of a big table):
   * each piece's ids and labels are checked as it is read.
   */
  pieces?: TrainPieces;
  /** rows in memory, or a reader of rows kept in a file */
  evalIds?: Int32Array[] | RowsReader;
  evalLabels?: ArrayLike<number>;
  /** Not modified: training works on a copy. */
  init: StaticParams;
  /** Without the best-model fields: no best-model tracking nor early stopping. */
  args: TrainArgs & { labelSmoothingFactor?: number } & Partial<BestModelArgs>;
  hooks?: TrainHooks;
  /** The ids are token ids with sub-word and pair rows (feature-pool.ts); without, each id is one embedding row. */
  layout?: FeatureLayout;
  /**
   * Threads that train at once (default 1). 1 is deterministic: the same seed gives the same
   * weights. More run hogwild.ts: each thread takes the next batch and updates the shared weights
   * without locks, as fastText's threads do; the result varies a little from run to run.
   */
  threads?: number;
  /**
   * Train on a worker thread even when on one (deterministic all the same), leaving the calling
   * thread free: the starter trains its calibration probe this way while the model trains here.
   */
  offThread?: boolean;
  /**
   * "wasm" (default): the step's two hottest loops run as WebAssembly SIMD (wasm-kernels.ts) when
   * dim is a multiple of 4; "js": the JavaScript loops throughout.
   */
  kernels?: "wasm" | "js";
}

export interface TrainStaticResult extends BestOutcome {
  params: StaticParams;
  lossCurve: LossPoint[];
  steps: number;
}

/** A copy of the weights, into arrays from `alloc` (default: ordinary ones). */
export function copyParams(p: StaticParams, alloc: (n: number) => Float32Array = (n) => new Float32Array(n)): StaticParams {
  const copy = (a: Float32Array) => {
    const b = alloc(a.length);
    b.set(a);
    return b;
  };
  return { ...p, embedding: copy(p.embedding), weight: copy(p.weight), bias: copy(p.bias) };
}

/** Copies the weights of `src` into `dst` (same shapes). */
function copyParamsInto(dst: StaticParams, src: StaticParams): void {
  dst.embedding.set(src.embedding);
  dst.weight.set(src.weight);
  dst.bias.set(src.bias);
}

/** Rows read at once by evaluateStatic from a reader (rows kept in a file are read back a block at a time). */
const EVAL_BLOCK_ROWS = 16_384;

/** Mean cross-entropy and accuracy of the weights on labelled rows, in batches (buffers allocated once). */
export function evaluateStatic(params: StaticParams, rows: Int32Array[] | RowsReader, labels: ArrayLike<number>, batchSize: number, pool?: FeaturePool): { loss: number; accuracy: number } {
  const reader = rowsReader(rows);
  const C = params.numLabels;
  const cache: ForwardCache = {
    pooled: new Float32Array(batchSize * params.dim),
    logits: new Float32Array(batchSize * C),
  };
  const dl = new Float32Array(batchSize * C);
  let total = 0;
  let correct = 0;
  const n = reader.length;
  let block: Int32Array[] = [];
  let blockFrom = 0;
  for (let s = 0; s < n; s += batchSize) {
    if (s >= blockFrom + block.length) {
      blockFrom = s;
      // whole batches: a batch never straddles two blocks
      block = reader.read(s, Math.min(n, s + Math.ceil(EVAL_BLOCK_ROWS / batchSize) * batchSize));
    }
    const batch = block.slice(s - blockFrom, s - blockFrom + batchSize);
    const y = Array.prototype.slice.call(labels, s, s + batchSize) as number[];
    forwardInto(params, batch, cache, pool);
    total += softmaxCrossEntropy(cache.logits, y, C, 0, dl).loss * batch.length;
    for (let b = 0; b < batch.length; b++) {
      let arg = 0;
      for (let c = 1; c < C; c++) if (cache.logits[b * C + c] > cache.logits[b * C + arg]) arg = c;
      if (arg === y[b]) correct++;
    }
  }
  return n ? { loss: total / n, accuracy: correct / n } : { loss: 0, accuracy: 0 };
}

/** Throws unless every label is in [0, numLabels) and every token id in [0, idLimit); returns the longest row's length. */
function checkRows(name: string, ids: ArrayLike<Int32Array>, labels: ArrayLike<number>, numLabels: number, idLimit: number, first = 0): number {
  if (ids.length !== labels.length) throw new Error(`${name}: ${ids.length} texts but ${labels.length} labels`);
  checkLabels(name, labels, numLabels, first);
  let longest = 0;
  for (let i = 0; i < ids.length; i++) {
    const x = ids[i];
    if (x.length > longest) longest = x.length;
    checkIds(name, x, 0, x.length, idLimit);
  }
  return longest;
}

/** Every label an index of 0 … numLabels − 1 (rows counted from `first` in the message). */
function checkLabels(name: string, labels: ArrayLike<number>, numLabels: number, first: number): void {
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!(Number.isInteger(y) && y >= 0 && y < numLabels)) throw new Error(`${name}: label ${y} at row ${first + i} is not in [0, ${numLabels})`);
  }
}

/** Every id of ids[from … to) under idLimit. */
function checkIds(name: string, ids: Int32Array, from: number, to: number, idLimit: number): void {
  for (let t = from; t < to; t++) {
    if (!(ids[t] >= 0 && ids[t] < idLimit)) throw new Error(`${name}: token id ${ids[t]} is not in [0, ${idLimit})`);
  }
}

/** checkRows over a reader, a block at a time. */
function checkReader(name: string, rows: RowsReader, labels: ArrayLike<number>, numLabels: number, idLimit: number): void {
  if (rows.length !== labels.length) throw new Error(`${name}: ${rows.length} texts but ${labels.length} labels`);
  for (let from = 0; from < rows.length; from += EVAL_BLOCK_ROWS) {
    const to = Math.min(rows.length, from + EVAL_BLOCK_ROWS);
    checkRows(name, rows.read(from, to), Array.prototype.slice.call(labels, from, to) as number[], numLabels, idLimit, from);
  }
}

/** Pieces whose ids and labels are checked (as checkRows checks rows) as each is read. */
function checkedPieces(pieces: TrainPieces, numLabels: number, idLimit: number): TrainPieces {
  return {
    rows: pieces.rows,
    longest: pieces.longest,
    count: pieces.count,
    rowsIn: (k) => pieces.rowsIn(k),
    read(k) {
      const p = pieces.read(k);
      const name = `train (piece ${k})`;
      checkLabels(name, p.labels, numLabels, 0);
      for (let i = 0; i < p.lengths.length; i++) checkIds(name, p.ids, p.starts[i], p.starts[i] + p.lengths[i], idLimit);
      return p;
    },
  };
}

export async function trainStatic(input: TrainStaticInput): Promise<TrainStaticResult> {
  const { trainIds, trainLabels, evalIds, evalLabels, args } = input;
  const hooks = input.hooks ?? {};
  const { dim, numLabels: C } = input.init;
  const layout = input.layout;
  if (layout && layout.pairBase + layout.pairBuckets > input.init.vocabSize) throw new Error(`trainStatic: the feature layout needs ${layout.pairBase + layout.pairBuckets} embedding rows, the model has ${input.init.vocabSize}`);
  const idLimit = layout?.vocabSize ?? input.init.vocabSize;
  if (!input.pieces === !trainIds) throw new Error("trainStatic: give the training rows as trainIds and trainLabels, or as pieces");
  const pieces = input.pieces ? checkedPieces(input.pieces, C, idLimit) : inMemoryPieces(trainIds!, trainLabels ?? []);
  const longest = input.pieces ? input.pieces.longest : checkRows("train", trainIds!, trainLabels ?? [], C, idLimit);
  const canEval = !!evalIds && !!evalLabels && evalIds.length > 0;
  if (canEval) checkReader("eval", rowsReader(evalIds!), evalLabels!, C, idLimit);

  const N = pieces.rows;
  if (N === 0) throw new Error("trainStatic: no training rows");
  const B = args.batchSize;
  const stepsPerEpoch = stepsPerEpochOf(pieces, B);
  // (one piece: totalStepsFor(N, B, epochs), the figure the run's plan and the web show)
  const totalSteps = Math.max(1, Math.ceil(args.numTrainEpochs * stepsPerEpoch));
  const warmupSteps = Math.ceil(args.warmupRatio * totalSteps);
  const threads = threadsFor(N, args.numTrainEpochs, stepsPerEpoch, input.threads ?? 1);
  const onWorkers = threads > 1 || input.offThread === true;
  // Threads update one set of weights and moments in shared memory (hogwild.ts); one thread owns
  // copies. With the kernels that memory is theirs, with a scratch region per thread.
  const arena =
    (input.kernels ?? "wasm") === "wasm" && kernelsFit(dim)
      ? new KernelArena(await kernelsModule(), input.init, { batchSize: B, maxBatchTokens: Math.max(1, B * longest), maxTouchedRows: layout ? input.init.vocabSize : B * longest, threads })
      : null;
  const alloc = arena ? arena.alloc : onWorkers ? sharedFloat32 : (n: number) => new Float32Array(n);
  const params = copyParams(input.init, alloc);
  const evalPool = featurePoolFor(layout, dim, C);

  const steps = createStepLog(hooks, { totalSteps, stepsPerEpoch, loggingSteps: args.loggingSteps });
  const { log, checkCancelled } = steps;
  const ev = createBestTracker({ ...resolveBestModelArgs({}), ...args }, {
    canEval,
    score: () => evaluateStatic(params, evalIds!, evalLabels!, args.evalBatchSize, evalPool),
    weights: { snapshot: () => copyParams(params), saveInto: (dst) => copyParamsInto(dst, params), restoreFrom: (src) => copyParamsInto(params, src) },
    steps,
    what: "weights",
  });

  await log(
    `training static model: ${N} rows, ${C} labels, vocab ${params.vocabSize}, dim ${dim}, batch ${B}, ` +
      `${totalSteps} steps (${stepsPerEpoch}/epoch), lr ${args.learningRate}, warmup ${warmupSteps}, ` +
      (threads > 1 ? `${threads} threads (lock-free updates of shared weights)` : onWorkers ? "1 thread (a worker thread)" : "1 thread") +
      (arena ? ", WebAssembly SIMD step" : ""),
  );
  if (args.evaluationStrategy !== "no" && !canEval) await log("no evaluation rows: evaluation skipped");

  await checkCancelled();
  const plan: LoopPlan = {
    params,
    moments: newStaticMoments(params, alloc),
    cfg: { ...ADAMW_DEFAULTS, lr: args.learningRate, weightDecay: args.weightDecay },
    smoothing: args.labelSmoothingFactor ?? 0,
    layout,
    pieces,
    batchSize: B,
    totalSteps,
    schedule: (step) => linearSchedule(args.learningRate, step, warmupSteps, totalSteps),
    rng: mulberry32(args.seed),
    afterStep: async (step, loss, lr) => {
      await steps.afterStep(step, loss, lr);
      if (args.evaluationStrategy === "steps" && step % args.evalSteps === 0) await ev.evaluate(step);
    },
    afterEpoch: async (step) => {
      if (args.evaluationStrategy === "epoch" && !plan.stopped(step)) await ev.evaluate(step);
      await checkCancelled();
    },
    stopped: (step) => ev.stop || steps.stopDue(step),
    kernels: arena?.setup(),
  };
  const step = onWorkers ? await hogwildLoop(plan, threads) : await serialLoop(plan);
  await steps.flush(step);
  const outcome = await ev.finish(step, stopRequested(hooks) && step < totalSteps);
  return { params: onWorkers || arena ? copyParams(params) : params, lossCurve: steps.lossCurve, steps: step, ...outcome };
}

/**
 * Below this many rows × epochs a run trains on one thread: starting the threads (about 0.4 s)
 * would cost more than they save. The demo table (4,757 rows × 5 epochs) is above it.
 */
export const THREADS_MIN_ROW_EPOCHS = 20_000;

/** The threads a run trains on: at most `wanted`, one for small runs, never more than the batches of an epoch (the rest would only wait at each epoch's end). */
export function threadsFor(rows: number, epochs: number, stepsPerEpoch: number, wanted: number): number {
  if (rows * epochs < THREADS_MIN_ROW_EPOCHS) return 1;
  return Math.max(1, Math.min(Math.floor(wanted), stepsPerEpoch));
}

/** The steps in order on this thread: the deterministic mode (same seed, same weights). */
async function serialLoop(plan: LoopPlan): Promise<number> {
  const { pieces, batchSize: B, totalSteps } = plan;
  const stepper = new StaticStepper(plan.params, plan.moments, plan.cfg, B, plan.smoothing, plan.layout, plan.kernels && { setup: plan.kernels, thread: 0 });
  const batch: Int32Array[] = [];
  const batchY: number[] = [];
  let step = 0;
  while (step < totalSteps && !plan.stopped(step)) {
    for (const k of Array.from(pieceOrder(pieces, plan.rng))) {
      if (step >= totalSteps || plan.stopped(step)) break;
      const { ids, starts, lengths, labels } = pieces.read(k);
      const N = lengths.length;
      const order = permutation(N, plan.rng);
      for (let start = 0; start < N && step < totalSteps && !plan.stopped(step); start += B) {
        const end = Math.min(N, start + B);
        batch.length = 0;
        batchY.length = 0;
        for (let i = start; i < end; i++) {
          const r = order[i];
          batch.push(ids.subarray(starts[r], starts[r] + lengths[r]));
          batchY.push(labels[r]);
        }
        const lr = plan.schedule(step);
        const loss = stepper.step(batch, batchY, lr, step + 1);
        step++;
        await plan.afterStep(step, loss, lr);
      }
    }
    await plan.afterEpoch(step);
  }
  return step;
}
