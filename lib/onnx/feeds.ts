// The input tensors of a text model's ONNX session, built once for every caller (the encoder, the
// classifier that serves ONNX folders, and the benchmarks).
import * as ort from "onnxruntime-node";

/**
 * The buffer of an int64 tensor of n values, seen as int32 words: value k is written to word 2k
 * (the low word; the high word stays 0 for values in [0, 2^31): ids, masks, positions; little-endian,
 * as on every platform Node runs on), which avoids a BigInt per element. int64Tensor wraps it.
 */
export const int64Words = (n: number): Int32Array => new Int32Array(2 * n);

/** The int64 tensor whose buffer `words` (from int64Words) fills. */
export const int64Tensor = (words: Int32Array, dims: readonly number[]): ort.Tensor =>
  new ort.Tensor("int64", new BigInt64Array(words.buffer, words.byteOffset, words.length / 2), dims);

/**
 * The feeds for one batch: ids padded with padId to the batch's longest row, mask 1 on tokens,
 * token types 0 (int64 tensors written as int64Words). `mask` is the same mask as bytes, for pooling.
 */
export function buildFeeds(
  ids: Int32Array[],
  batch: ArrayLike<number>,
  inputNames: readonly string[],
  padId = 0,
): { feeds: Record<string, ort.Tensor>; mask: Uint8Array; seqLen: number } {
  const B = batch.length;
  let T = 1;
  for (let b = 0; b < B; b++) T = Math.max(T, ids[batch[b]].length);
  const idWords = int64Words(B * T);
  const maskWords = int64Words(B * T);
  const mask = new Uint8Array(B * T);
  if (padId !== 0) for (let i = 0; i < B * T; i++) idWords[2 * i] = padId;
  for (let b = 0; b < B; b++) {
    const row = ids[batch[b]];
    const o = b * T;
    for (let t = 0; t < row.length; t++) {
      idWords[2 * (o + t)] = row[t];
      maskWords[2 * (o + t)] = 1;
      mask[o + t] = 1;
    }
  }
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of inputNames) {
    if (name === "input_ids") feeds[name] = int64Tensor(idWords, [B, T]);
    else if (name === "attention_mask") feeds[name] = int64Tensor(maskWords, [B, T]);
    else if (name === "token_type_ids") feeds[name] = new ort.Tensor("int64", new BigInt64Array(B * T), [B, T]);
    else throw new Error(`the encoder asks for an input "${name}" (only input_ids, attention_mask and token_type_ids are fed)`);
  }
  return { feeds, mask, seqLen: T };
}
