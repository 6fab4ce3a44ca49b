// A starter-model version on disk, in the folder layout transformers.js reads:
//   config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx
// Every file is a pure function of the inputs (fixed key order, no timestamps), so equal inputs give
// byte-equal folders and the caller can content-hash them.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { StaticParams } from "../../training/types";
import { labelMaps, labelsFromConfig } from "../../onnx/labels";
import { exportStaticOnnx, readStaticOnnx } from "./onnx";

export const STATIC_MODEL_TYPE = "static-embedding";
export const STATIC_ARCHITECTURE = "StaticEmbeddingForSequenceClassification";

export interface StaticArtifactInput {
  params: StaticParams;
  labels: string[];
  tokenizer: object;
  tokenizerConfig: object;
  maxLength: number;
}

export function staticConfigJson(params: StaticParams, labels: string[], maxLength: number): object {
  if (labels.length !== params.numLabels) throw new Error(`${labels.length} label names for ${params.numLabels} outputs`);
  return {
    architectures: [STATIC_ARCHITECTURE],
    model_type: STATIC_MODEL_TYPE,
    hidden_size: params.dim,
    vocab_size: params.vocabSize,
    num_labels: params.numLabels,
    max_length: maxLength,
    pooling: "mean",
    problem_type: "single_label_classification",
    ...labelMaps(labels),
  };
}

const json = (o: object) => JSON.stringify(o, null, 2) + "\n";

export async function writeStaticArtifact(dir: string, p: StaticArtifactInput): Promise<void> {
  await mkdir(path.join(dir, "onnx"), { recursive: true });
  await Promise.all([
    writeFile(path.join(dir, "config.json"), json(staticConfigJson(p.params, p.labels, p.maxLength))),
    writeFile(path.join(dir, "tokenizer.json"), json(p.tokenizer)),
    writeFile(path.join(dir, "tokenizer_config.json"), json(p.tokenizerConfig)),
    writeFile(path.join(dir, "onnx", "model.onnx"), exportStaticOnnx(p.params)),
  ]);
}

export async function readStaticArtifact(
  dir: string,
): Promise<{ params: StaticParams; labels: string[]; tokenizerDir: string; maxLength: number }> {
  const config = JSON.parse(await readFile(path.join(dir, "config.json"), "utf8"));
  if (config.model_type !== STATIC_MODEL_TYPE) throw new Error(`${dir} holds a "${config.model_type}" model, not a ${STATIC_MODEL_TYPE} one`);
  const params = readStaticOnnx(await readFile(path.join(dir, "onnx", "model.onnx")));
  const labels = labelsFromConfig(config);
  if (labels.length !== params.numLabels) throw new Error(`${dir}: config has ${labels.length} labels, the graph ${params.numLabels}`);
  return { params, labels, tokenizerDir: dir, maxLength: Number(config.max_length) };
}
