// The input tensors of a text model's ONNX session, built once for every caller (the encoder, the
// classifier that serves ONNX folders, and the benchmarks).
import * as ort from "onnxruntime-node";

/**
 * The feeds for one batch: ids padded with padId to the batch's longest row, mask 1 on tokens,
 * token types 0. The int64 tensors are filled through an Int32Array view of their buffers (low
 * word = value, high word = 0: ids are non-negative and < 2^31; little-endian, as every platform
 * Node runs on), which avoids a BigInt per element. `mask` is the same mask as bytes, for pooling.
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
  const idWords = new Int32Array(2 * B * T);
  const maskWords = new Int32Array(2 * B * T);
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
    if (name === "input_ids") feeds[name] = new ort.Tensor("int64", new BigInt64Array(idWords.buffer), [B, T]);
    else if (name === "attention_mask") feeds[name] = new ort.Tensor("int64", new BigInt64Array(maskWords.buffer), [B, T]);
    else if (name === "token_type_ids") feeds[name] = new ort.Tensor("int64", new BigInt64Array(B * T), [B, T]);
    else throw new Error(`the encoder asks for an input "${name}" (only input_ids, attention_mask and token_type_ids are fed)`);
  }
  return { feeds, mask, seqLen: T };
}
