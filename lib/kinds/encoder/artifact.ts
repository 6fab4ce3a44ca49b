// A version of a model on a pretrained encoder: the encoder stays in its base folder under
// MODELS_DIR, the version folder holds only what training produced.
//
//   <version>/config.json            model_type "encoder-head", base, base_hash, pooling, max_length,
//                                    quantized, head {type, hidden_size?, activation?}, hidden_size,
//                                    id2label, label2id
//   <version>/head.onnx              features [batch, hidden] → logits (head-onnx.ts)
//   <version>/tokenizer.json,        copied from the base (so the folder says how it tokenises;
//   <version>/tokenizer_config.json  the encoder itself tokenises with the base's identical files)
//
// base_hash is the encoder's content hash (base-models.ts encoderHash: the ONNX file actually run
// and tokenizer.json). Loading checks it, so a version never silently runs on other weights.
// Serving several versions of one base shares one encoder session (module-level, ref-counted).
import { copyFile, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { encoderHash } from "../base-models";
import { readHeadOnnx, writeHeadOnnx, HEAD_INPUT, HEAD_OUTPUT } from "./head-onnx";
import type { Classifier } from "../../onnx/classifier";
import { labelMaps, labelsFromConfig } from "../../onnx/labels";
import { loadEncoder, type Encoder, type Pooling } from "../../encoders/encoder";
import { checkHead, type HeadParams } from "../../training/head-model";
import { softmax } from "../../training/metrics";

export const ENCODER_HEAD_MODEL_TYPE = "encoder-head";
export const HEAD_FILE = "head.onnx";

export interface EncoderArtifactConfig {
  model_type: typeof ENCODER_HEAD_MODEL_TYPE;
  /** folder name of the base model under MODELS_DIR */
  base: string;
  base_hash: string;
  base_model_type: string;
  pooling: Pooling;
  max_length: number;
  quantized: boolean;
  head: { type: HeadParams["type"]; hidden_size?: number; activation?: string };
  hidden_size: number;
  num_labels: number;
  id2label: Record<string, string>;
  label2id: Record<string, number>;
}

export interface EncoderArtifactInput {
  modelsDir: string;
  /** folder name under modelsDir */
  base: string;
  pooling: Pooling;
  maxLength: number;
  quantized: boolean;
  head: HeadParams;
  labels: string[];
  /** the base's encoderHash, when the caller has it already (it is computed otherwise) */
  baseHash?: string;
}

const json = (o: object) => JSON.stringify(o, null, 2) + "\n";

async function isDir(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isDirectory(), () => false);
}

function baseDirOf(modelsDir: string, base: string): string {
  if (!base || base.includes("/") || base.includes("\\") || base.startsWith(".")) throw new Error(`"${base}" is not a base model folder name`);
  return path.join(path.resolve(modelsDir), base);
}

/** Writes a version folder (see the header). Files are a pure function of the inputs. */
export async function writeEncoderArtifact(dir: string, a: EncoderArtifactInput): Promise<EncoderArtifactConfig> {
  checkHead(a.head);
  if (a.labels.length !== a.head.numLabels) throw new Error(`${a.labels.length} label names for a head with ${a.head.numLabels} outputs`);
  if (a.pooling !== "mean" && a.pooling !== "cls") throw new Error(`pooling must be "mean" or "cls", got ${JSON.stringify(a.pooling)}`);
  const baseDir = baseDirOf(a.modelsDir, a.base);
  const baseConfig = JSON.parse(await readFile(path.join(baseDir, "config.json"), "utf8")) as Record<string, unknown>;
  const config: EncoderArtifactConfig = {
    model_type: ENCODER_HEAD_MODEL_TYPE,
    base: a.base,
    base_hash: a.baseHash ?? (await encoderHash({ path: baseDir }, a.quantized)),
    base_model_type: String(baseConfig.model_type ?? "unknown"),
    pooling: a.pooling,
    max_length: a.maxLength,
    quantized: a.quantized,
    head: a.head.type === "mlp" ? { type: "mlp", hidden_size: a.head.hiddenSize, activation: a.head.activation } : { type: "linear" },
    hidden_size: a.head.inputSize,
    num_labels: a.head.numLabels,
    ...labelMaps(a.labels),
  };
  await mkdir(dir, { recursive: true });
  await Promise.all([
    writeFile(path.join(dir, "config.json"), json(config)),
    writeFile(path.join(dir, HEAD_FILE), writeHeadOnnx(a.head)),
    copyFile(path.join(baseDir, "tokenizer.json"), path.join(dir, "tokenizer.json")),
    copyFile(path.join(baseDir, "tokenizer_config.json"), path.join(dir, "tokenizer_config.json")),
  ]);
  return config;
}

export async function readEncoderArtifact(dir: string): Promise<{ config: EncoderArtifactConfig; head: HeadParams; labels: string[] }> {
  const config = JSON.parse(await readFile(path.join(dir, "config.json"), "utf8")) as EncoderArtifactConfig;
  if (config.model_type !== ENCODER_HEAD_MODEL_TYPE) throw new Error(`${dir} holds a "${config.model_type}" model, not an ${ENCODER_HEAD_MODEL_TYPE} one`);
  const head = readHeadOnnx(await readFile(path.join(dir, HEAD_FILE)));
  const labels = labelsFromConfig(config);
  if (labels.length !== head.numLabels) throw new Error(`${dir}: config has ${labels.length} labels, the head ${head.numLabels}`);
  if (head.inputSize !== config.hidden_size) throw new Error(`${dir}: the head takes ${head.inputSize} features, config says hidden_size ${config.hidden_size}`);
  return { config, head, labels };
}

/**
 * Throws a message that says what to do when the base folder is missing or is not the one the
 * version was trained on; returns the base folder's path otherwise.
 */
export async function verifyBase(config: Pick<EncoderArtifactConfig, "base" | "base_hash" | "quantized">, modelsDir: string): Promise<string> {
  const baseDir = baseDirOf(modelsDir, config.base);
  const file = config.quantized ? "onnx/model_quantized.onnx" : "onnx/model.onnx";
  if (!(await isDir(baseDir))) {
    throw new Error(
      `base model "${config.base}" is missing: this version runs on the encoder in ${baseDir}. ` +
        `Copy the folder "${config.base}" (config.json, tokenizer.json, tokenizer_config.json, ${file}) into ${path.resolve(modelsDir)}.`,
    );
  }
  let now: string;
  try {
    now = await encoderHash({ path: baseDir }, config.quantized);
  } catch (e) {
    throw new Error(`base model "${config.base}" in ${baseDir} is incomplete (${(e as Error).message}): copy the complete folder "${config.base}" back, with ${file} and tokenizer.json.`);
  }
  if (now !== config.base_hash) {
    throw new Error(
      `base model "${config.base}" changed since this version was trained (${file} and tokenizer.json hash to ${now.slice(0, 12)}…, ` +
        `the version expects ${config.base_hash.slice(0, 12)}…): copy the original "${config.base}" folder back into ${path.resolve(modelsDir)}, ` +
        `or train a new version on the current one.`,
    );
  }
  return baseDir;
}

// --- shared encoder sessions --------------------------------------------------------------------

const shared = new Map<string, { encoder: Promise<Encoder>; refs: number }>();

async function acquireEncoder(baseDir: string, quantized: boolean, threads?: number): Promise<{ encoder: Encoder; release(): Promise<void> }> {
  const key = `${path.resolve(baseDir)}|${quantized ? "q" : "f"}`;
  let entry = shared.get(key);
  if (!entry) {
    entry = { encoder: loadEncoder(baseDir, { quantized, threads }), refs: 0 };
    shared.set(key, entry);
    entry.encoder.catch(() => shared.delete(key)); // a failed load is retried by the next caller
  }
  entry.refs++;
  const e = entry;
  const encoder = await e.encoder;
  let released = false;
  return {
    encoder,
    async release() {
      if (released) return;
      released = true;
      if (--e.refs === 0 && shared.get(key) === e) {
        shared.delete(key);
        await encoder.close();
      }
    },
  };
}

/** How many encoder sessions are open for serving (for tests and the status page). */
export function openEncoderSessions(): number {
  return shared.size;
}

export interface LoadEncoderClassifierOptions {
  modelsDir: string;
  /** onnxruntime intra-op threads of the encoder, when this call opens it (default: all cores). */
  threads?: number;
}

/**
 * A Classifier for an encoder-head version: shared encoder session → pooled features → head.onnx
 * (onnxruntime) → softmax. `predict`'s batchSize caps rows per encoder batch (token budget aside).
 */
export async function loadEncoderClassifier(dir: string, opts: LoadEncoderClassifierOptions): Promise<Classifier> {
  const { config, head, labels } = await readEncoderArtifact(dir);
  const baseDir = await verifyBase(config, opts.modelsDir);
  const { encoder, release } = await acquireEncoder(baseDir, config.quantized, opts.threads);
  let headSession: ort.InferenceSession;
  try {
    if (encoder.hiddenSize !== head.inputSize) {
      throw new Error(`${dir}: the head takes ${head.inputSize} features but the encoder "${config.base}" gives ${encoder.hiddenSize}`);
    }
    headSession = await ort.InferenceSession.create(await readFile(path.join(dir, HEAD_FILE)), {
      graphOptimizationLevel: "all",
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
    });
  } catch (e) {
    await release();
    throw e;
  }
  const C = labels.length;
  const D = head.inputSize;
  return {
    labels,
    maxLength: config.max_length,
    async predict(texts: string[], batchSize?: number): Promise<Float32Array[]> {
      if (texts.length === 0) return [];
      const feats = await encoder.encode(texts, { pooling: config.pooling, maxLength: config.max_length, ...(batchSize ? { maxBatchRows: batchSize } : {}) });
      const x = new Float32Array(texts.length * D);
      feats.forEach((f, i) => x.set(f, i * D));
      const out = await headSession.run({ [HEAD_INPUT]: new ort.Tensor("float32", x, [texts.length, D]) });
      return softmax(out[HEAD_OUTPUT].data as Float32Array, C);
    },
    async close() {
      await headSession.release();
      await release();
    },
  };
}
