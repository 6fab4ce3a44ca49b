// The starter kind: a static-embedding classifier (token embeddings mean-pooled, linear head; the
// fastText family) whose every weight is trained in TypeScript, with a tokenizer built from the data.
import { STARTER_DEFAULTS } from "../../training/train-args";
import { APPLIED_TRAINING_ARGUMENTS } from "../../validations/training-arguments";
import { RUN_REQUEST_SCHEMAS, type StarterRunRequest } from "../../validations/run-request";
import type { Kind } from "../types";
import { STATIC_MODEL_TYPE } from "./artifact";
import { loadStarterClassifier } from "./classifier";
import { exportStarter } from "./export";

export const starterKind: Kind<StarterRunRequest> = {
  name: "starter",
  title: "a starter model",
  versionModelType: STATIC_MODEL_TYPE,
  requestSchema: RUN_REQUEST_SCHEMAS.starter,
  appliedArguments: APPLIED_TRAINING_ARGUMENTS,
  // Scored through the flat graph (./flat-graph.ts): one run for a call's texts, no padding.
  load: (dir) => loadStarterClassifier(dir),
  // Its own reading, whatever the model's settings (which are an encoder's): token embeddings
  // mean-pooled, a linear layer, and the serving version's max_length (a run continuing from it
  // keeps it; a new model gets STARTER_DEFAULTS.maxLength), the number its export declares.
  encoding: (_settings, servingConfig) => ({
    pooling: "mean",
    maxLength: Number(servingConfig?.max_length) || STARTER_DEFAULTS.maxLength,
    quantized: false,
    head: "linear",
    configurable: false,
  }),
  export: exportStarter,
};
