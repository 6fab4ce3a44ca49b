// A starter-model version on disk, in the folder layout transformers.js reads:
//   config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx
// Every file is a pure function of the inputs (fixed key order, no timestamps), so equal inputs give
// byte-equal folders and the caller can content-hash them.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { StaticParams } from "../../training/types";
import { labelMaps, labelsFromConfig } from "../../onnx/labels";
import { exportStaticOnnx, readStaticOnnx, type FoldedSubwords, type SubwordExport } from "./onnx";
import { featureRows, foldSubwords, NO_SUBWORDS, ngramTable, usesNgrams, usesPairs, type SubwordOptions } from "../../training/subword";

export const STATIC_MODEL_TYPE = "static-embedding";
export const STATIC_ARCHITECTURE = "StaticEmbeddingForSequenceClassification";

export interface StaticArtifactInput {
  /** the trained table: the vocabulary's rows, then (with sub-word features) n-gram and pair rows */
  params: StaticParams;
  labels: string[];
  tokenizer: object;
  tokenizerConfig: object;
  maxLength: number;
  /** sub-word and word n-gram features, with the vocabulary (by id) whose n-grams they hash */
  subwords?: { options: SubwordOptions; vocab: string[] };
}

const hasSubwords = (o: SubwordOptions) => usesNgrams(o) || usesPairs(o);

export function staticConfigJson(params: StaticParams, labels: string[], maxLength: number, subwords?: SubwordOptions): object {
  if (labels.length !== params.numLabels) throw new Error(`${labels.length} label names for ${params.numLabels} outputs`);
  return {
    architectures: [STATIC_ARCHITECTURE],
    model_type: STATIC_MODEL_TYPE,
    hidden_size: params.dim,
    vocab_size: params.vocabSize,
    ...(subwords && hasSubwords(subwords) ? { subwords } : {}),
    num_labels: params.numLabels,
    max_length: maxLength,
    pooling: "mean",
    problem_type: "single_label_classification",
    ...labelMaps(labels),
  };
}

const json = (o: object) => JSON.stringify(o, null, 2) + "\n";

/** The served graph's parameters: with sub-word features, the n-gram rows folded into the token rows. */
function servedParams(p: StaticArtifactInput): { params: StaticParams; folded?: SubwordExport; options?: SubwordOptions } {
  const options = p.subwords?.options;
  if (!p.subwords || !options || !hasSubwords(options)) return { params: p.params };
  const V = p.subwords.vocab.length;
  if (p.params.vocabSize !== featureRows(V, options)) throw new Error(`${p.params.vocabSize} embedding rows for a ${V}-token vocabulary with ${JSON.stringify(options)}`);
  const f = foldSubwords(p.params.embedding, V, p.params.dim, ngramTable(p.subwords.vocab, options), options);
  return { params: { ...p.params, vocabSize: V, embedding: f.tokens }, folded: { counts: f.counts, pairs: f.pairs, wordNgrams: options.wordNgrams }, options };
}

export async function writeStaticArtifact(dir: string, p: StaticArtifactInput): Promise<void> {
  await mkdir(path.join(dir, "onnx"), { recursive: true });
  const served = servedParams(p);
  await Promise.all([
    writeFile(path.join(dir, "config.json"), json(staticConfigJson(served.params, p.labels, p.maxLength, served.options))),
    writeFile(path.join(dir, "tokenizer.json"), json(p.tokenizer)),
    writeFile(path.join(dir, "tokenizer_config.json"), json(p.tokenizerConfig)),
    writeFile(path.join(dir, "onnx", "model.onnx"), exportStaticOnnx(served.params, served.folded)),
  ]);
}

export async function readStaticArtifact(
  dir: string,
): Promise<{ params: StaticParams; labels: string[]; tokenizerDir: string; maxLength: number; subwords: SubwordOptions; folded?: FoldedSubwords }> {
  const config = JSON.parse(await readFile(path.join(dir, "config.json"), "utf8"));
  if (config.model_type !== STATIC_MODEL_TYPE) throw new Error(`${dir} holds a "${config.model_type}" model, not a ${STATIC_MODEL_TYPE} one`);
  const params = readStaticOnnx(await readFile(path.join(dir, "onnx", "model.onnx")));
  const labels = labelsFromConfig(config);
  if (labels.length !== params.numLabels) throw new Error(`${dir}: config has ${labels.length} labels, the graph ${params.numLabels}`);
  const { subwords: folded, ...tokens } = params;
  return { params: tokens, labels, tokenizerDir: dir, maxLength: Number(config.max_length), subwords: (config.subwords as SubwordOptions | undefined) ?? NO_SUBWORDS, folded };
}
