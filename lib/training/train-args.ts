// The starter model's training arguments: its defaults and Hugging Face TrainingArguments → the
// loop's TrainArgs. Apart from the loop (train-static.ts), whose threads the web bundle must not
// reach: the New run page reads the defaults from here.
import { defaultBatchSize } from "./batch-size";
import type { TrainArgs } from "./types";
import { resolveBestModelArgs, withEarlyStoppingStrategy, type BestModelArgs } from "./best-model";
import type { StarterTrainingArguments } from "../validations/training-arguments";

/**
 * Defaults for the starter model, measured with tests/bench/starter-spam.ts (spam-assassin, 5,946
 * de-duplicated e-mails, stratified 80/20 split, seed 42; fastText's reference gets 97.3 %):
 * - dim 64: 98.5 % (dim 32: 98.5 % with a worse held-out loss); fastText uses 100.
 * - learningRate 0.01 (tables up to 28,000 rows × epochs; bigger ones: starterLearningRate below), AdamW,
 *   linear decay, no warm-up (the original system's own example request uses 0.01):
 *   Adam's per-coordinate step makes ~1e-2 right for embeddings of scale 1/dim; HF's 5e-5 is a
 *   transformer fine-tuning rate and barely moves a from-scratch model in 5 epochs. 0.03 and
 *   batch sizes 1–32 all land within ±0.3 points.
 * - numTrainEpochs 5: fastText's default; 3 epochs lose ~0.2 points.
 * - maxLength 1024 tokens: 98.8 % vs 98.5 % at 512 and 98.2 % at 256 (e-mails are long-tailed and
 *   the tail still carries signal); the cap bounds tokenisation and step time on huge inputs.
 * With these, 4,757 training e-mails (= 67·71, so the original system's rule gives batch 1): 98.8 % accuracy,
 * training 4.4 s; with per_device_train_batch_size 24: 98.7 %, 2.8 s (2-core machine).
 * - vocabSize 30000, minCount 2: BERT's vocabulary size; words seen once cannot be learnt from
 *   and fall back to word pieces.
 */
/**
 * The starter's default learning rate for `rowEpochs` = training rows × epochs: STARTER_DEFAULTS'
 * 0.01 up to LR_ROW_EPOCHS / 0.01 = 28,000 row-epochs (the demo table's 4,757 rows × 5 epochs get
 * 0.01), LR_ROW_EPOCHS / rowEpochs beyond. Adam moves every touched coordinate by about the
 * learning rate per step whatever its gradient's scale, so a token's vector travels about
 * lr × (its updates), and its updates grow with the table: at a fixed rate the vectors of a big
 * table's many mid-frequency words wander far on noise. Measured with trainStatic alone on the
 * scale bench's generated rows (tests/bench/scale.ts synthText: 5 labels, 50–150 words; each of
 * the 30,000 most frequent words one token; 5 epochs, 2 threads), accuracy on a shuffled held-out 20 %:
 *   100,000 rows: lr 0.01 87.9 %, 0.003 90.0 %, 0.001 93.3 %, 0.0005 93.6 % (this rule: 0.0007), 0.0002 92.4 %; fastText 91.8 %
 *   300,000 rows: this rule (0.00023) 94.5 %, 0.0005 94.6 %, 0.001 93.9 %
 * and through the product at 700,000 rows (`npm run bench -- --only scale`): 94.48 % against 92.81 % at 0.01.
 * It never goes below LR_FLOOR, the 700,000-row table's rate (2.8 million row-epochs): at 7,000,000
 * rows the rule alone gave 1e-5, and 88.22 % (`--rows 7000000`), against 94.48 % at 700,000 rows;
 * too small a rate fails more sharply than too big a one (100,000 rows above: 0.0002 loses 1.2
 * points, 0.001 loses 0.3).
 * A request's learning_rate (or an admin's default) always wins.
 */
export const LR_ROW_EPOCHS = 280;
export const LR_FLOOR = 1e-4;

export function starterLearningRate(rowEpochs: number): number {
  return Math.max(LR_FLOOR, Math.min(STARTER_DEFAULTS.learningRate, LR_ROW_EPOCHS / Math.max(1, rowEpochs)));
}

export const STARTER_DEFAULTS = {
  dim: 64,
  learningRate: 0.01,
  numTrainEpochs: 5,
  maxLength: 1024,
  vocabSize: 30000,
  minCount: 2,
  evalBatchSize: 64,
  warmupRatio: 0,
  weightDecay: 0,
  seed: 42,
} as const;

/** The starter's defaults for resolveTrainArgs: its learning rate follows the table's size (starterLearningRate). */
export const STARTER_TRAIN_DEFAULTS: TrainDefaults = { ...STARTER_DEFAULTS, learningRateFor: starterLearningRate };

export interface StarterTrainArgs extends TrainArgs, BestModelArgs {
  /** HF `label_smoothing_factor` (0 = plain cross-entropy). */
  labelSmoothingFactor?: number;
}

// --- parsed arguments → TrainArgs -----------------------------------------------------------------

/** The defaults a trainer fills in where a request leaves an applied argument out. */
export interface TrainDefaults {
  learningRate: number;
  /** when given, the default learning rate for training rows × epochs (instead of learningRate) */
  learningRateFor?: (rowEpochs: number) => number;
  numTrainEpochs: number;
  evalBatchSize: number;
  weightDecay: number;
  warmupRatio: number;
  seed: number;
}

/** HF allows a step count given as a fraction (0, 1) of the total steps (the request schema checked the range). */
function stepsArg(x: number, totalSteps: number): number {
  return x < 1 ? Math.max(1, Math.ceil(x * totalSteps)) : x;
}

/**
 * Fills the defaults into a request's parsed TrainingArguments (checked by the request schema):
 * the trainer's defaults and the original system's batch-size rule (largest divisor of the training row count
 * ≤ 32 and ≤ √n). logging_steps defaults to about 50 points per run (at most HF's 500), eval_steps
 * to logging_steps; eval_strategy (HF's newer spelling) wins over evaluation_strategy; early stopping
 * evaluates every epoch unless the request names a strategy (best-model.ts).
 */
export function resolveTrainArgs(request: StarterTrainingArguments, trainRowCount: number, defaults: TrainDefaults = STARTER_TRAIN_DEFAULTS): StarterTrainArgs {
  const args = withEarlyStoppingStrategy(request);
  const batchSize = args.per_device_train_batch_size ?? defaultBatchSize(trainRowCount);
  const numTrainEpochs = args.num_train_epochs ?? defaults.numTrainEpochs;
  const totalSteps = totalStepsFor(trainRowCount, batchSize, numTrainEpochs);
  const loggingSteps = args.logging_steps !== undefined ? stepsArg(args.logging_steps, totalSteps) : Math.min(500, Math.max(1, Math.round(totalSteps / 50)));
  return {
    learningRate: args.learning_rate ?? defaults.learningRateFor?.(trainRowCount * numTrainEpochs) ?? defaults.learningRate,
    numTrainEpochs,
    batchSize,
    evalBatchSize: args.per_device_eval_batch_size ?? defaults.evalBatchSize,
    weightDecay: args.weight_decay ?? defaults.weightDecay,
    seed: args.seed ?? defaults.seed,
    evaluationStrategy: args.eval_strategy ?? args.evaluation_strategy ?? "no",
    evalSteps: args.eval_steps !== undefined ? stepsArg(args.eval_steps, totalSteps) : loggingSteps,
    loggingSteps,
    warmupRatio: args.warmup_ratio ?? defaults.warmupRatio,
    labelSmoothingFactor: args.label_smoothing_factor ?? 0,
    ...resolveBestModelArgs(args),
  };
}

export function totalStepsFor(rows: number, batchSize: number, epochs: number): number {
  return Math.max(1, Math.ceil(epochs * Math.ceil(rows / batchSize)));
}
