// The starter model as one ONNX graph (opset 17), and back.
//
//   input_ids [batch, seq] int64, attention_mask [batch, seq] int64
//   emb    = Gather(embeddings.weight, input_ids)                 [batch, seq, dim]
//   mask   = Unsqueeze(Cast<float>(attention_mask), axes=[2])     [batch, seq, 1]
//   summed = ReduceSum(emb · mask, axes=[1], keepdims=0)          [batch, dim]
//   count  = Max(ReduceSum(mask_f, axes=[1], keepdims=1), 1)      [batch, 1]
//   logits = MatMul(summed / count, classifier.weight) + classifier.bias   [batch, numLabels]
//
// The same file is how weights are saved and loaded (readStaticOnnx reads the initialisers back),
// so there is one format for serving, export and warm starts.
import { DT, floatTensor, initializers, int64Tensor, intAttr, modelOf, node, readFloats, scalarFloat, serializeModel, toNum, valueInfo, decodeModel } from "../../onnx/proto";
import type { StaticParams } from "../../training/types";

const { FLOAT, INT64 } = DT;

export const INIT_NAMES = { embedding: "embeddings.weight", weight: "classifier.weight", bias: "classifier.bias" } as const;

export function exportStaticOnnx(p: StaticParams): Uint8Array {
  const { vocabSize: V, dim: D, numLabels: C } = p;
  if (p.embedding.length !== V * D || p.weight.length !== D * C || p.bias.length !== C) {
    throw new Error("exportStaticOnnx: parameter sizes do not match vocabSize/dim/numLabels");
  }
  const graph = {
    name: "static_embedding_classifier",
    initializer: [
      floatTensor(INIT_NAMES.embedding, [V, D], p.embedding),
      floatTensor(INIT_NAMES.weight, [D, C], p.weight),
      floatTensor(INIT_NAMES.bias, [C], p.bias),
      int64Tensor("axes_seq", [1]),
      int64Tensor("axes_last", [2]),
      scalarFloat("one", 1),
    ],
    input: [valueInfo("input_ids", INT64, ["batch", "sequence"]), valueInfo("attention_mask", INT64, ["batch", "sequence"])],
    output: [valueInfo("logits", FLOAT, ["batch", C])],
    node: [
      node("Gather", [INIT_NAMES.embedding, "input_ids"], ["token_embeddings"], [intAttr("axis", 0)]),
      node("Cast", ["attention_mask"], ["mask_f"], [intAttr("to", FLOAT)]),
      node("Unsqueeze", ["mask_f", "axes_last"], ["mask_3d"]),
      node("Mul", ["token_embeddings", "mask_3d"], ["masked_embeddings"]),
      node("ReduceSum", ["masked_embeddings", "axes_seq"], ["summed"], [intAttr("keepdims", 0)]),
      node("ReduceSum", ["mask_f", "axes_seq"], ["token_count"], [intAttr("keepdims", 1)]),
      node("Max", ["token_count", "one"], ["token_count_min1"]),
      node("Div", ["summed", "token_count_min1"], ["pooled"]),
      node("MatMul", ["pooled", INIT_NAMES.weight], ["head_out"]),
      node("Add", ["head_out", INIT_NAMES.bias], ["logits"]),
    ],
  };
  return serializeModel(modelOf(graph));
}

/** Reads the weights back from a graph written by exportStaticOnnx. */
export function readStaticOnnx(bytes: Uint8Array): StaticParams {
  const { get } = initializers(decodeModel(bytes), "readStaticOnnx", "not a static-embedding model?");
  const e = get(INIT_NAMES.embedding);
  const w = get(INIT_NAMES.weight);
  const [V, D] = (e.dims ?? []).map(toNum);
  const C = toNum((w.dims ?? [])[1] ?? 0);
  const p: StaticParams = {
    vocabSize: V,
    dim: D,
    numLabels: C,
    embedding: readFloats(e),
    weight: readFloats(w),
    bias: readFloats(get(INIT_NAMES.bias)),
  };
  if (p.embedding.length !== V * D || p.weight.length !== D * C || p.bias.length !== C) {
    throw new Error("readStaticOnnx: initializer sizes do not match their dims");
  }
  return p;
}
