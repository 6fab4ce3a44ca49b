// The encoder kind: a pretrained transformer encoder (a transformers.js folder under MODELS_DIR)
// kept frozen, with a classification head trained on its pooled features (cached in PostgreSQL).
import { modelsDir } from "../../env";
import { HEAD_APPLIED_TRAINING_ARGUMENTS } from "../../validations/training-arguments";
import { RUN_REQUEST_SCHEMAS, type EncoderRunRequest } from "../../validations/run-request";
import type { Kind } from "../types";
import { ENCODER_HEAD_MODEL_TYPE, loadEncoderClassifier } from "./artifact";
import { exportEncoder } from "./export";

export const encoderKind: Kind<EncoderRunRequest> = {
  name: "encoder",
  title: "an encoder model",
  versionModelType: ENCODER_HEAD_MODEL_TYPE,
  requestSchema: RUN_REQUEST_SCHEMAS.encoder,
  appliedArguments: HEAD_APPLIED_TRAINING_ARGUMENTS,
  load: (dir) => loadEncoderClassifier(dir, { modelsDir: modelsDir() }),
  // A run encodes with the model's settings (a change re-encodes the texts), so they are what it uses.
  encoding: (s) => ({
    pooling: s.pooling,
    maxLength: s.maxLength,
    quantized: s.quantized,
    head: s.head.type === "mlp" ? `mlp ${s.head.hiddenSize ?? 256}` : "linear",
    configurable: true,
  }),
  export: exportEncoder,
};
