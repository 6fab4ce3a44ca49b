// The starter model as one ONNX graph (opset 17), and back.
//
//   input_ids [batch, seq] int64, attention_mask [batch, seq] int64
//   emb    = Gather(embeddings.weight, input_ids)                 [batch, seq, dim]
//   mask   = Unsqueeze(Cast<float>(attention_mask), axes=[2])     [batch, seq, 1]
//   summed = ReduceSum(emb · mask, axes=[1], keepdims=0)          [batch, dim]
//   count  = Max(ReduceSum(mask_f, axes=[1], keepdims=1), 1)      [batch, 1]
//   logits = MatMul(summed / count, classifier.weight) + classifier.bias   [batch, numLabels]
//
// With sub-word and word n-gram features (lib/training/subword.ts), each token's row already holds
// its n-gram rows (folded at export), a count table says how many rows each token stands for, and
// each run of w = 2 … wordNgrams adjacent tokens adds a hashed row computed in the graph:
//
//   count  = ReduceSum(Gather(embeddings.count, input_ids) · mask_f)                       [batch, 1]
//   h2     = (input_ids[:, 0:−1] · 116049371 + input_ids[:, 1:]) mod buckets               [batch, seq−1]
//   h3     = (h2[:, 0:−1] · 116049371 + input_ids[:, 2:]) mod buckets                      [batch, seq−2]
//   summed += ReduceSum(Gather(pairs.weight, h_w) · mask_w);  count += ReduceSum(mask_w)   (each w)
//
// (mask_w: every token of the run is unmasked), so the pooled vector is the mean over every token row, n-gram row and pair row of the text, as in
// training. The same file is how weights are saved and loaded (readStaticOnnx reads the initialisers
// back), so there is one format for serving, export and warm starts.
import { DT, floatTensor, initializers, int64Tensor, intAttr, modelOf, node, readFloats, scalarFloat, serializeModel, toNum, valueInfo, decodeModel, type P } from "../../onnx/proto";
import type { StaticParams } from "../../training/types";
import { PAIR_MULTIPLIER } from "../../training/subword";

/** What a graph with sub-word and word n-gram features adds to the token rows (lib/training/subword.ts foldSubwords). */
export interface FoldedSubwords {
  /** rows each token stands for (1 + its n-grams) */
  counts: Float32Array;
  /** pairBuckets × dim (the rows of runs of adjacent tokens), or null without word n-grams */
  pairs: Float32Array | null;
}

/** The export's input: the folded tables and the longest run of adjacent tokens that gets a row. */
export type SubwordExport = FoldedSubwords & { wordNgrams: number };

const { FLOAT, INT64 } = DT;

export const INIT_NAMES = {
  embedding: "embeddings.weight",
  count: "embeddings.count",
  pairs: "pairs.weight",
  weight: "classifier.weight",
  bias: "classifier.bias",
} as const;

const int64Scalar = (name: string, v: number) => ({ name, dims: [], dataType: INT64, int64Data: [v] });

/**
 * How both starter graphs (this one and the flat one, ./flat-graph.ts) hash the runs of w tokens,
 * as training does (lib/training/subword.ts): hash_w = (left × PAIR_MULTIPLIER + last) mod the
 * pair table's rows, where `left` is the run's first w − 1 tokens' hash (hash_{w−1}, or the first
 * token for w = 2) and `last` its last token, each as the graph slices them. Initializers: runHashInitializers.
 */
export function runHashNodes(w: number, left: string, last: string): P.INodeProto[] {
  return [
    node("Mul", [left, "pair_multiplier"], [`hash_${w}_scaled`]),
    node("Add", [`hash_${w}_scaled`, last], [`hash_${w}_key`]),
    node("Mod", [`hash_${w}_key`, "pair_buckets"], [`hash_${w}`], [intAttr("fmod", 0)]),
  ];
}

/** The constants of runHashNodes, for a pair table of `buckets` rows. */
export const runHashInitializers = (buckets: number): P.ITensorProto[] => [int64Scalar("pair_multiplier", PAIR_MULTIPLIER), int64Scalar("pair_buckets", buckets)];
const UNTIL_END = Number.MAX_SAFE_INTEGER;

/** The nodes that add the word n-gram rows and the rows' counts to `summed` and `token_count`. */
function subwordNodes(wordNgrams: number) {
  const nodes = [
    node("Gather", [INIT_NAMES.count, "input_ids"], ["token_rows"], [intAttr("axis", 0)]),
    node("Mul", ["token_rows", "mask_f"], ["token_rows_masked"]),
    node("ReduceSum", ["token_rows_masked", "axes_seq"], [wordNgrams >= 2 ? "count_1" : "token_count"], [intAttr("keepdims", 1)]),
  ];
  if (wordNgrams < 2) return nodes;
  // Slice k of a run of w: input_ids[:, k : seq − (w − 1 − k)]
  const slice = (src: string, k: number, w: number, out: string) =>
    node("Slice", [src, `start_${k}`, w - 1 - k === 0 ? "until_end_1d" : `end_minus_${w - 1 - k}`, "axes_seq"], [out]);
  for (let w = 2; w <= wordNgrams; w++) {
    const prev = w === 2 ? null : `hash_${w - 1}`;
    nodes.push(
      // the hash of the run: the previous run's (its first w−1 tokens) or the first token, times P, plus the last token
      prev ? slice(prev, 0, 2, `hash_${w}_left`) : slice("input_ids", 0, 2, `hash_${w}_left`),
      slice("input_ids", w - 1, w, `ids_${w}_last`),
      ...runHashNodes(w, `hash_${w}_left`, `ids_${w}_last`),
      node("Gather", [INIT_NAMES.pairs, `hash_${w}`], [`rows_${w}`], [intAttr("axis", 0)]),
      // the run counts when all its tokens do
      prev ? slice("mask_run_" + (w - 1), 0, 2, `mask_${w}_left`) : slice("mask_f", 0, 2, `mask_${w}_left`),
      slice("mask_f", w - 1, w, `mask_${w}_last`),
      node("Mul", [`mask_${w}_left`, `mask_${w}_last`], [`mask_run_${w}`]),
      node("Unsqueeze", [`mask_run_${w}`, "axes_last"], [`mask_run_${w}_3d`]),
      node("Mul", [`rows_${w}`, `mask_run_${w}_3d`], [`masked_rows_${w}`]),
      node("ReduceSum", [`masked_rows_${w}`, "axes_seq"], [`summed_rows_${w}`], [intAttr("keepdims", 0)]),
      node("Add", [`summed_${w - 1}`, `summed_rows_${w}`], [w === wordNgrams ? "summed" : `summed_${w}`]),
      node("ReduceSum", [`mask_run_${w}`, "axes_seq"], [`count_rows_${w}`], [intAttr("keepdims", 1)]),
      node("Add", [`count_${w - 1}`, `count_rows_${w}`], [w === wordNgrams ? "token_count" : `count_${w}`]),
    );
  }
  return nodes;
}

/** The starter graph; `subwords` (from foldSubwords) when the token rows were folded with n-gram rows and runs of tokens have rows. */
export function exportStaticOnnx(p: StaticParams, subwords?: SubwordExport): Uint8Array {
  const { vocabSize: V, dim: D, numLabels: C } = p;
  if (p.embedding.length !== V * D || p.weight.length !== D * C || p.bias.length !== C) {
    throw new Error("exportStaticOnnx: parameter sizes do not match vocabSize/dim/numLabels");
  }
  if (subwords && (subwords.counts.length !== V || (subwords.pairs && subwords.pairs.length % D !== 0))) {
    throw new Error("exportStaticOnnx: sub-word tables do not match vocabSize/dim");
  }
  const pairs = subwords?.pairs ?? null;
  const wordNgrams = pairs ? Math.max(2, subwords!.wordNgrams) : 1;
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
            ...Array.from({ length: wordNgrams }, (_, k) => int64Tensor(`start_${k}`, [k])),
            ...Array.from({ length: wordNgrams - 1 }, (_, k) => int64Tensor(`end_minus_${k + 1}`, [-(k + 1)])),
            int64Tensor("until_end_1d", [UNTIL_END]),
            ...runHashInitializers(pairs.length / D),
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
      node("ReduceSum", ["masked_embeddings", "axes_seq"], [pairs ? "summed_1" : "summed"], [intAttr("keepdims", 0)]),
      ...(subwords ? subwordNodes(wordNgrams) : [node("ReduceSum", ["mask_f", "axes_seq"], ["token_count"], [intAttr("keepdims", 1)])]),
      node("Max", ["token_count", "one"], ["token_count_min1"]),
      node("Div", ["summed", "token_count_min1"], ["pooled"]),
      node("MatMul", ["pooled", INIT_NAMES.weight], ["head_out"]),
      node("Add", ["head_out", INIT_NAMES.bias], ["logits"]),
    ],
  };
  return serializeModel(modelOf(graph));
}

/** Reads the weights back from a graph written by exportStaticOnnx (with its sub-word tables, when it has them). */
export function readStaticOnnx(bytes: Uint8Array): StaticParams & { subwords?: SubwordExport } {
  const model = decodeModel(bytes);
  const { get, has } = initializers(model, "readStaticOnnx", "not a static-embedding model?");
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
  const pairs = has(INIT_NAMES.pairs) ? readFloats(get(INIT_NAMES.pairs)) : null;
  // the longest run of adjacent tokens with a row: the last hash_<w> the graph computes
  let wordNgrams = 1;
  for (const n of model.graph?.node ?? []) for (const out of n.output ?? []) wordNgrams = Math.max(wordNgrams, Number(/^hash_(\d+)$/.exec(out)?.[1] ?? 1));
  return { ...p, subwords: { counts: readFloats(get(INIT_NAMES.count)), pairs, wordNgrams } };
}
