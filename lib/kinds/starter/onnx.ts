// The starter model as one ONNX graph (opset 17), and back.
//
//   input_ids [batch, seq] int64, attention_mask [batch, seq] int64
//   emb    = Gather(embeddings.weight, input_ids)                 [batch, seq, dim]
//   mask   = Unsqueeze(Cast<float>(attention_mask), axes=[2])     [batch, seq, 1]
//   summed = ReduceSum(emb · mask, axes=[1], keepdims=0)          [batch, dim]
//   count  = Max(ReduceSum(mask_f, axes=[1], keepdims=1), 1)      [batch, 1]
//   logits = MatMul(summed / count, classifier.weight) + classifier.bias   [batch, numLabels]
//
// With sub-word and word-pair features (lib/training/subword.ts), each token's row already holds its
// n-gram rows (folded at export), a count table says how many rows each token stands for, and
// adjacent pairs add hashed rows computed in the graph:
//
//   count  = ReduceSum(Gather(embeddings.count, input_ids) · mask_f)                       [batch, 1]
//   pair   = (input_ids[:, :-1] · 116049371 + input_ids[:, 1:]) mod pairBuckets           [batch, seq−1]
//   summed += ReduceSum(Gather(pairs.weight, pair) · pair_mask);  count += ReduceSum(pair_mask)
//
// so the pooled vector is the mean over every token row, n-gram row and pair row of the text, as in
// training. The same file is how weights are saved and loaded (readStaticOnnx reads the initialisers
// back), so there is one format for serving, export and warm starts.
import { DT, floatTensor, initializers, int64Tensor, intAttr, modelOf, node, readFloats, scalarFloat, serializeModel, toNum, valueInfo, decodeModel } from "../../onnx/proto";
import type { StaticParams } from "../../training/types";
import { PAIR_MULTIPLIER } from "../../training/subword";

/** What a graph with sub-word and word-pair features adds to the token rows (lib/training/subword.ts foldSubwords). */
export interface FoldedSubwords {
  /** rows each token stands for (1 + its n-grams) */
  counts: Float32Array;
  /** pairBuckets × dim, or null without word pairs */
  pairs: Float32Array | null;
}

const { FLOAT, INT64 } = DT;

export const INIT_NAMES = {
  embedding: "embeddings.weight",
  count: "embeddings.count",
  pairs: "pairs.weight",
  weight: "classifier.weight",
  bias: "classifier.bias",
} as const;

const int64Scalar = (name: string, v: number) => ({ name, dims: [], dataType: INT64, int64Data: [v] });
const UNTIL_END = Number.MAX_SAFE_INTEGER;

/** The nodes that add the word-pair rows and the rows' counts to `summed` and `token_count`. */
function subwordNodes(pairs: boolean) {
  const nodes = [
    node("Gather", [INIT_NAMES.count, "input_ids"], ["token_rows"], [intAttr("axis", 0)]),
    node("Mul", ["token_rows", "mask_f"], ["token_rows_masked"]),
    node("ReduceSum", ["token_rows_masked", "axes_seq"], [pairs ? "token_count_tokens" : "token_count"], [intAttr("keepdims", 1)]),
  ];
  if (!pairs) return nodes;
  return [
    ...nodes,
    node("Slice", ["input_ids", "zero_1d", "minus_one_1d", "axes_seq"], ["ids_left"]),
    node("Slice", ["input_ids", "axes_seq", "until_end_1d", "axes_seq"], ["ids_right"]),
    node("Mul", ["ids_left", "pair_multiplier"], ["pair_scaled"]),
    node("Add", ["pair_scaled", "ids_right"], ["pair_key"]),
    node("Mod", ["pair_key", "pair_buckets"], ["pair_ids"], [intAttr("fmod", 0)]),
    node("Gather", [INIT_NAMES.pairs, "pair_ids"], ["pair_embeddings"], [intAttr("axis", 0)]),
    node("Slice", ["mask_f", "zero_1d", "minus_one_1d", "axes_seq"], ["mask_left"]),
    node("Slice", ["mask_f", "axes_seq", "until_end_1d", "axes_seq"], ["mask_right"]),
    node("Mul", ["mask_left", "mask_right"], ["pair_mask"]),
    node("Unsqueeze", ["pair_mask", "axes_last"], ["pair_mask_3d"]),
    node("Mul", ["pair_embeddings", "pair_mask_3d"], ["masked_pairs"]),
    node("ReduceSum", ["masked_pairs", "axes_seq"], ["pair_summed"], [intAttr("keepdims", 0)]),
    node("Add", ["summed_tokens", "pair_summed"], ["summed"]),
    node("ReduceSum", ["pair_mask", "axes_seq"], ["pair_count"], [intAttr("keepdims", 1)]),
    node("Add", ["token_count_tokens", "pair_count"], ["token_count"]),
  ];
}

/** The starter graph; `subwords` (from foldSubwords) when the token rows were folded with n-gram rows and pairs have rows. */
export function exportStaticOnnx(p: StaticParams, subwords?: FoldedSubwords): Uint8Array {
  const { vocabSize: V, dim: D, numLabels: C } = p;
  if (p.embedding.length !== V * D || p.weight.length !== D * C || p.bias.length !== C) {
    throw new Error("exportStaticOnnx: parameter sizes do not match vocabSize/dim/numLabels");
  }
  if (subwords && (subwords.counts.length !== V || (subwords.pairs && subwords.pairs.length % D !== 0))) {
    throw new Error("exportStaticOnnx: sub-word tables do not match vocabSize/dim");
  }
  const pairs = subwords?.pairs ?? null;
  const graph = {
    name: "static_embedding_classifier",
    initializer: [
      floatTensor(INIT_NAMES.embedding, [V, D], p.embedding),
      floatTensor(INIT_NAMES.weight, [D, C], p.weight),
      floatTensor(INIT_NAMES.bias, [C], p.bias),
      int64Tensor("axes_seq", [1]),
      int64Tensor("axes_last", [2]),
      scalarFloat("one", 1),
      ...(subwords ? [floatTensor(INIT_NAMES.count, [V], subwords.counts)] : []),
      ...(pairs
        ? [
            floatTensor(INIT_NAMES.pairs, [pairs.length / D, D], pairs),
            int64Tensor("zero_1d", [0]),
            int64Tensor("minus_one_1d", [-1]),
            int64Tensor("until_end_1d", [UNTIL_END]),
            int64Scalar("pair_multiplier", PAIR_MULTIPLIER),
            int64Scalar("pair_buckets", pairs.length / D),
          ]
        : []),
    ],
    input: [valueInfo("input_ids", INT64, ["batch", "sequence"]), valueInfo("attention_mask", INT64, ["batch", "sequence"])],
    output: [valueInfo("logits", FLOAT, ["batch", C])],
    node: [
      node("Gather", [INIT_NAMES.embedding, "input_ids"], ["token_embeddings"], [intAttr("axis", 0)]),
      node("Cast", ["attention_mask"], ["mask_f"], [intAttr("to", FLOAT)]),
      node("Unsqueeze", ["mask_f", "axes_last"], ["mask_3d"]),
      node("Mul", ["token_embeddings", "mask_3d"], ["masked_embeddings"]),
      node("ReduceSum", ["masked_embeddings", "axes_seq"], [pairs ? "summed_tokens" : "summed"], [intAttr("keepdims", 0)]),
      ...(subwords ? subwordNodes(pairs !== null) : [node("ReduceSum", ["mask_f", "axes_seq"], ["token_count"], [intAttr("keepdims", 1)])]),
      node("Max", ["token_count", "one"], ["token_count_min1"]),
      node("Div", ["summed", "token_count_min1"], ["pooled"]),
      node("MatMul", ["pooled", INIT_NAMES.weight], ["head_out"]),
      node("Add", ["head_out", INIT_NAMES.bias], ["logits"]),
    ],
  };
  return serializeModel(modelOf(graph));
}

/** Reads the weights back from a graph written by exportStaticOnnx (with its sub-word tables, when it has them). */
export function readStaticOnnx(bytes: Uint8Array): StaticParams & { subwords?: FoldedSubwords } {
  const { get, has } = initializers(decodeModel(bytes), "readStaticOnnx", "not a static-embedding model?");
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
  if (!has(INIT_NAMES.count)) return p;
  return { ...p, subwords: { counts: readFloats(get(INIT_NAMES.count)), pairs: has(INIT_NAMES.pairs) ? readFloats(get(INIT_NAMES.pairs)) : null } };
}
