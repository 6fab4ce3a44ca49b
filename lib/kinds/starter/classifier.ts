// A starter version, loaded for serving and evaluation: its folder's tokenizer and labels, and its
// exported graph's weights scored through the flat graph (flat-graph.ts), one onnxruntime run for
// the texts of a call however their lengths differ (split only past MAX_RUN_TOKENS). Measured by
// `npm run bench -- --only serving`: the padded graph in length-sorted batches of 32 took 6–8 ms
// for 1,000 short texts, 32 runs; the flat graph is one.
import { readFile } from "node:fs/promises";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { readClassifierFolder, type Classifier } from "../../onnx/classifier";
import { int64Tensor, int64Words } from "../../onnx/feeds";
import { encodeTextsAsync } from "../../tokenizers/tokenizer";
import { softmax } from "../../training/metrics";
import { flatStaticOnnx } from "./flat-graph";
import { readStaticOnnx } from "./onnx";

/** Tokens per onnxruntime run (about 8 bytes × 2 of input and numLabels floats each): texts are never split. */
export const MAX_RUN_TOKENS = 1 << 18;

/** The two int64 inputs of one run (int64Words: ids and text numbers are < 2^31), and the number of texts. */
function flatFeeds(ids: Int32Array[], from: number, to: number): Record<string, ort.Tensor> {
  let n = 0;
  for (let i = from; i < to; i++) n += ids[i].length;
  const idWords = int64Words(n);
  const textWords = int64Words(n);
  let o = 0;
  for (let i = from; i < to; i++) {
    const row = ids[i];
    for (let t = 0; t < row.length; t++, o++) {
      idWords[2 * o] = row[t];
      textWords[2 * o] = i - from;
    }
  }
  return {
    token_ids: int64Tensor(idWords, [n]),
    token_text: int64Tensor(textWords, [n]),
    num_texts: new ort.Tensor("int64", BigInt64Array.of(BigInt(to - from)), [1]),
  };
}

export async function loadStarterClassifier(dir: string): Promise<Classifier> {
  const { labels, tokenizer, maxLength } = await readClassifierFolder(dir);
  const { subwords, ...params } = readStaticOnnx(await readFile(path.join(dir, "onnx", "model.onnx")));
  if (params.numLabels !== labels.length) throw new Error(`${dir}: config.json has ${labels.length} labels, the graph ${params.numLabels}`);
  // One onnxruntime thread: a run has too little work to share, and a second spinning thread only
  // contends with the process's other work.
  const session = await ort.InferenceSession.create(flatStaticOnnx(params, subwords), { graphOptimizationLevel: "all", interOpNumThreads: 1, intraOpNumThreads: 1 });
  const C = labels.length;

  async function run(ids: Int32Array[], from: number, to: number): Promise<Float32Array> {
    const logits = (await session.run(flatFeeds(ids, from, to))).logits;
    if (!logits || logits.dims.length !== 2 || logits.dims[0] !== to - from || logits.dims[1] !== C) {
      throw new Error(`model output "logits" has shape [${logits?.dims.join(", ")}], expected [${to - from}, ${C}]`);
    }
    return logits.data as Float32Array;
  }

  /** `batchSize` is not used: a call is one run unless its texts hold more than MAX_RUN_TOKENS tokens. */
  async function predictIds(ids: Int32Array[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let from = 0; from < ids.length; ) {
      let to = from + 1;
      for (let n = ids[from].length; to < ids.length && n + ids[to].length <= MAX_RUN_TOKENS; to++) n += ids[to].length;
      for (const p of softmax(await run(ids, from, to), C)) out.push(p);
      from = to;
    }
    return out;
  }

  return {
    labels,
    maxLength,
    async predict(texts: string[]): Promise<Float32Array[]> {
      return predictIds(await encodeTextsAsync(tokenizer, texts, maxLength)); // the encode yields: never blocks the loop for long
    },
    predictIds,
    async close() {
      await session.release();
    },
  };
}
