import type { z } from "zod";
import type { ProbabilityRows } from "../training/probability-rows";
import type { Classifier } from "../onnx/classifier";
import type { RowSet } from "../runs/row-table";
import type { Phase, RunContext } from "../runs/run-context";
import type { Metrics } from "../training/types";
import type { ModelSettings } from "../validations/model-config";
import type { ModelKind } from "../validations/run-request";

// What a model kind is: one object per kind (lib/kinds/<kind>/index.ts), listed by the registry
// (lib/kinds/index.ts), and its trainer (lib/kinds/<kind>/train.ts), listed by the worker's registry
// (lib/kinds/trainers.ts) so that no training code reaches the web bundle. The run handler,
// serving, export and the models API ask them; nothing outside lib/kinds checks a kind's name.

/** The version that serves when a run starts. */
export interface ServingVersion {
  id: string;
  labels: string[];
  /** its version folder */
  dir: string;
  /** loads it through its own kind's serving path (it may be of another kind than the run's) */
  load(): Promise<Classifier>;
}

/** What a kind's `train` gets; `request` is the run's request as parsed by the kind's schema. */
export interface CandidateInput<Request> {
  train: RowSet;
  test: RowSet;
  /** the data's labels, sorted */
  dataLabels: string[];
  /** the version serving when the run started: the one a candidate may continue from */
  serving: ServingVersion | null;
  /** the version to score as "old": the serving one, unless it shares no label with the data */
  oldModel: ServingVersion | null;
  settings: ModelSettings;
  /** the run's random seed (split, initial weights) */
  seed: number;
  request: Request;
  /** the folder to write the candidate's version files into */
  staged: string;
  /** enters a phase of the run (progress bar, timings, cancellation point) */
  phase(p: Phase): Promise<void>;
  /**
   * Drops the training rows' texts (they read "" afterwards) so that they can be garbage-collected:
   * a kind calls it once it has what it needs from them (the starter: their token ids). The test
   * rows keep theirs.
   */
  releaseTrainTexts(): void;
}

/** What a kind's `train` gives back: the candidate written into `staged`, with both scores. */
export interface Candidate {
  labels: string[];
  /** the serving version it continued from, when it did */
  parentId: string | null;
  /** the serving version on the test rows; null when nothing serves */
  metricsOld: Metrics | null;
  metricsNew: Metrics;
  /** the candidate's probabilities for each test row (in `labels` order), for the run's errors list */
  predictionsNew: ProbabilityRows;
  /** figures added to the run's stats */
  stats?: Record<string, unknown>;
}

export interface ExportOptions {
  modelName?: string;
  versionId?: string;
  /** where encoder versions' base folders live (default: MODELS_DIR) */
  modelsDir?: string;
  /** the model card's Markdown lines (lib/versions/model-card.ts), put in README.md after its introduction */
  card?: string[];
}

/** How a model of a kind reads a text and what its head is, as training and serving really do (Settings shows it). */
export interface Encoding {
  pooling: "mean" | "cls";
  /** tokens read from each text (the rest is cut off) */
  maxLength: number;
  quantized: boolean;
  /** "linear", or "mlp 256" */
  head: string;
  /** false when the model's settings do not change these (the starter's are its own) */
  configurable: boolean;
}

export interface Kind<Request = unknown> {
  /** Model.kind in the database and the `kind` of a parsed request */
  name: ModelKind;
  /** "a starter model", "an encoder model": for messages */
  title: string;
  /** config.json model_type of this kind's version folders */
  versionModelType: string;
  /** the run request's schema (lib/validations/run-request.ts, shared with the new-run form) */
  requestSchema: z.ZodType<Request>;
  /** the TrainingArguments its trainer applies; the others are logged as ignored */
  appliedArguments: ReadonlySet<string>;
  /** a version folder as a Classifier: what serves /api/predict and scores it as the "old" model */
  load(dir: string): Promise<Classifier>;
  /** what a model of this kind uses, from its settings and its serving version's config.json (null: nothing serves) */
  encoding(settings: ModelSettings, servingConfig: Record<string, unknown> | null): Encoding;
  /** writes a version folder as a standalone export into `outDir` (created empty, with onnx/) */
  export(versionDir: string, outDir: string, config: Record<string, unknown>, opts: ExportOptions): Promise<void>;
}

/** A kind's part of a run: scores the serving version ("old"), trains a candidate into `input.staged`, scores it ("new"). */
export type Trainer<Request> = (ctx: RunContext, input: CandidateInput<Request>) => Promise<Candidate>;

export function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
