// A model folder whose one ONNX graph gives `logits` from padded input_ids/attention_mask (an
// exported version, any such folder) → probabilities. The starter kind serves and evaluates its
// versions through its own flat graph (lib/kinds/starter/classifier.ts, which reads the folder with
// readClassifierFolder), encoder versions through their own loader. The Classifier interface is what
// every kind's `load` returns.
import { readFile } from "node:fs/promises";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { softmax } from "../training/metrics";
import { buildFeeds } from "./feeds";
import { encodeTextsAsync, loadTokenizer } from "../tokenizers/tokenizer";
import { labelsFromConfig } from "./labels";

export interface Classifier {
  labels: string[];
  maxLength: number;
  /** Probabilities per text, in label order. */
  predict(texts: string[], batchSize?: number): Promise<Float32Array[]>;
  /** predict for texts already encoded as this classifier's tokenizer encodes them (encodeTexts with its maxLength): the graph's part only. */
  predictIds?(ids: Int32Array[], batchSize?: number): Promise<Float32Array[]>;
  close(): Promise<void>;
}

export interface LoadClassifierOptions {
  /** onnxruntime intra-op threads (default: onnxruntime's choice). */
  threads?: number;
}

/** A classifier folder's labels (config.json id2label), tokenizer and the longest text it encodes, in tokens. */
export async function readClassifierFolder(dir: string): Promise<{ labels: string[]; tokenizer: Awaited<ReturnType<typeof loadTokenizer>>; maxLength: number }> {
  const config = JSON.parse(await readFile(path.join(dir, "config.json"), "utf8"));
  const labels = labelsFromConfig(config);
  const tokenizer = await loadTokenizer(dir);
  return { labels, tokenizer, maxLength: Number(config.max_length ?? tokenizer.model_max_length ?? 512) };
}

/**
 * Loads a folder with config.json (id2label), tokenizer.json, tokenizer_config.json and
 * onnx/model.onnx whose graph takes input_ids/attention_mask (and token_type_ids, if it asks) and
 * returns `logits`.
 */
export async function loadClassifier(dir: string, opts: LoadClassifierOptions = {}): Promise<Classifier> {
  const { labels, tokenizer, maxLength } = await readClassifierFolder(dir);
  const session = await ort.InferenceSession.create(path.join(dir, "onnx", "model.onnx"), {
    graphOptimizationLevel: "all",
    interOpNumThreads: 1,
    ...(opts.threads ? { intraOpNumThreads: opts.threads } : {}),
  });
  const C = labels.length;

  async function runBatch(batch: Int32Array[]): Promise<Float32Array[]> {
    const B = batch.length;
    // Padded to the longest text of the batch (at least 1 so no dimension is empty); mask 0 on pads.
    const { feeds } = buildFeeds(batch, Array.from(batch.keys()), session.inputNames);
    const out = await session.run(feeds);
    const logits = out.logits;
    if (!logits || logits.dims.length !== 2 || logits.dims[1] !== C) {
      throw new Error(`model output "logits" has shape [${logits?.dims.join(", ")}], expected [${B}, ${C}]`);
    }
    return softmax(logits.data as Float32Array, C);
  }

  async function predictIds(ids: Int32Array[], batchSize = 32): Promise<Float32Array[]> {
    // Length-sorted batches waste little on padding; results go back to the callers' order.
    const order = ids.map((_, i) => i).sort((a, b) => ids[a].length - ids[b].length || a - b);
    const probs: Float32Array[] = new Array(ids.length);
    for (let s = 0; s < order.length; s += batchSize) {
      const idx = order.slice(s, s + batchSize);
      const p = await runBatch(idx.map((i) => ids[i]));
      idx.forEach((i, k) => (probs[i] = p[k]));
    }
    return probs;
  }

  return {
    labels,
    maxLength,
    async predict(texts: string[], batchSize = 32): Promise<Float32Array[]> {
      return predictIds(await encodeTextsAsync(tokenizer, texts, maxLength), batchSize); // the encode yields: never blocks the loop for long
    },
    predictIds,
    async close() {
      await session.release();
    },
  };
}
