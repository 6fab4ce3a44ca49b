// Shapes shared by the training code, the ONNX exporter and the run handler.

/**
 * The starter model: a static-embedding classifier (fastText family).
 * logits = mean_{t: mask=1}(embedding[ids[t]]) · weight + bias
 */
export interface StaticParams {
  vocabSize: number;
  dim: number;
  numLabels: number;
  /** vocabSize × dim, row-major (row i is token i's vector). */
  embedding: Float32Array;
  /** dim × numLabels, row-major (weight[d * numLabels + c]). */
  weight: Float32Array;
  /** numLabels */
  bias: Float32Array;
}

/** Training arguments after defaults are applied (Hugging Face TrainingArguments names, camel-cased). */
export interface TrainArgs {
  learningRate: number;
  numTrainEpochs: number;
  /** Training batch size (the original system's rule applies when the request has none). */
  batchSize: number;
  evalBatchSize: number;
  weightDecay: number;
  seed: number;
  /** "no" | "steps" | "epoch" */
  evaluationStrategy: "no" | "steps" | "epoch";
  evalSteps: number;
  loggingSteps: number;
  warmupRatio: number;
}

/** One point of the loss curve (training loss per logging step, eval loss when evaluation runs). */
export interface LossPoint {
  step: number;
  epoch: number;
  loss?: number;
  evalLoss?: number;
  /** the learning rate of the point's last step (training points) */
  lr?: number;
}

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** Evaluation of one model on the held-out rows. Key names follow the original system (`accuracy`, `precision`, `f1`). */
export interface Metrics {
  accuracy: number;
  /** weighted by support */
  precision: number;
  recall: number;
  f1: number;
  macro_precision: number;
  macro_recall: number;
  macro_f1: number;
  per_class: Record<string, ClassScores>;
  /** labels[i] names row i and column i of matrix; matrix[true][predicted] = count */
  confusion_matrix: { labels: string[]; matrix: number[][] };
  eval_loss: number;
  samples: number;
  /**
   * Expected calibration error over 15 equal-width bins of the top-class probability (0 = the scores
   * mean what they say). Absent on runs stored before it was measured.
   */
  ece?: number;
  /** The reliability diagram's bins behind `ece`. Absent on runs stored before it was measured. */
  reliability?: Reliability;
}

/** One bin of a reliability diagram: predictions whose top-class probability is in (lower, upper]. */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  /** share of the bin's predictions that were right (0 when empty) */
  accuracy: number;
  /** mean top-class probability in the bin (0 when empty) */
  confidence: number;
}

export interface Reliability {
  bins: ReliabilityBin[];
}
