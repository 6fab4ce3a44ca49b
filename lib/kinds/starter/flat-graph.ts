// The starter model re-laid for scoring: the same weights as the version's exported graph
// (onnx.ts), but taking the texts' tokens one after another instead of as a padded
// [batch, sequence] matrix, so a thousand texts of any lengths are one run with no padding:
//
//   token_ids [tokens] int64, token_text [tokens] int64 (which text each token belongs to,
//   non-decreasing), num_texts [1] int64
//   summed[t] = Σ over the tokens of text t of table[token]          ScatterND(reduction = add)
//   count[t]  = Σ over the same tokens of embeddings.count[token]   (1 per token without sub-words)
//   each run of w = 2 … wordNgrams adjacent tokens of one text adds pairs[hash_w] and 1 to its text's
//   sum and count (hash_w as in onnx.ts; a run whose first and last tokens belong to different texts
//   is masked out)
//   logits = summed / max(count, 1) · classifier.weight + classifier.bias
//
// When the model has fewer labels than dimensions the head is folded into the tables (each row
// multiplied by classifier.weight once, by onnxruntime when the session is created): the mean of the
// rows' logits is the logits of their mean, and every gathered row is numLabels floats wide instead
// of dim. The exported graph stays the version's one format (export, warm starts); this one is
// built from it when a version is loaded for serving or evaluation (./classifier.ts).
import { DT, floatTensor, int64Tensor, intAttr, modelOf, node, scalarFloat, serializeModel, stringAttr, valueInfo, type P } from "../../onnx/proto";
import type { StaticParams } from "../../training/types";
import { runHashInitializers, runHashNodes, type SubwordExport } from "./onnx";

const { FLOAT, INT64 } = DT;
const UNTIL_END = Number.MAX_SAFE_INTEGER;

/** The flat graph of a starter model (its exported graph's weights, as readStaticOnnx gives them). */
export function flatStaticOnnx(p: StaticParams, subwords?: SubwordExport): Uint8Array {
  const { vocabSize: V, dim: D, numLabels: C } = p;
  const fold = C < D;
  const W = fold ? C : D;
  const pairs = subwords?.pairs ?? null;
  const wordNgrams = pairs ? Math.max(2, subwords!.wordNgrams) : 1;
  const counts = subwords?.counts ?? new Float32Array(V).fill(1);

  const slice = (src: string, start: number, end: number, out: string) => {
    const s = `start_${start}`;
    const e = end === 0 ? "until_end" : `end_${end}`;
    return node("Slice", [src, s, e, "axis0"], [out]);
  };
  // folded: the tables times the head, a MatMul of initializers that onnxruntime computes once,
  // when the session is created (constant folding, its own GEMM), not per run
  // (unfolded, the weights are the tables "table" and "pairs" themselves)
  const tables = fold ? [node("MatMul", ["token_table", "weight"], ["table"]), ...(pairs ? [node("MatMul", ["pair_table", "weight"], ["pairs"])] : [])] : [];
  const nodes: P.INodeProto[] = [
    ...tables,
    node("Concat", ["num_texts", "width"], ["sum_shape"], [intAttr("axis", 0)]),
    node("ConstantOfShape", ["sum_shape"], ["sum_zeros"]),
    node("Concat", ["num_texts", "one_1d"], ["count_shape"], [intAttr("axis", 0)]),
    node("ConstantOfShape", ["count_shape"], ["count_zeros"]),
    node("Unsqueeze", ["token_text", "axis1"], ["token_at"]),
    node("Gather", ["table", "token_ids"], ["token_rows"], [intAttr("axis", 0)]),
    node("ScatterND", ["sum_zeros", "token_at", "token_rows"], ["summed_1"], [stringAttr("reduction", "add")]),
    node("Gather", ["counts", "token_ids"], ["token_counts"], [intAttr("axis", 0)]),
    node("Unsqueeze", ["token_counts", "axis1"], ["token_counts_2d"]),
    node("ScatterND", ["count_zeros", "token_at", "token_counts_2d"], ["count_1"], [stringAttr("reduction", "add")]),
  ];
  for (let w = 2; w <= wordNgrams; w++) {
    nodes.push(
      // the run starting at each token: its hash (the previous run's, or the first token, times P, plus the last token)
      slice(w === 2 ? "token_ids" : `hash_${w - 1}`, 0, -1, `hash_${w}_left`),
      slice("token_ids", w - 1, 0, `ids_${w}_last`),
      ...runHashNodes(w, `hash_${w}_left`, `ids_${w}_last`),
      // it counts when its first and last tokens are of one text (token_text never decreases)
      slice("token_text", 0, -(w - 1), `run_${w}_text`),
      slice("token_text", w - 1, 0, `run_${w}_last_text`),
      node("Equal", [`run_${w}_text`, `run_${w}_last_text`], [`run_${w}_same`]),
      node("Cast", [`run_${w}_same`], [`run_${w}_mask`], [intAttr("to", FLOAT)]),
      node("Unsqueeze", [`run_${w}_mask`, "axis1"], [`run_${w}_mask_2d`]),
      node("Unsqueeze", [`run_${w}_text`, "axis1"], [`run_${w}_at`]),
      node("Gather", ["pairs", `hash_${w}`], [`run_${w}_rows`], [intAttr("axis", 0)]),
      node("Mul", [`run_${w}_rows`, `run_${w}_mask_2d`], [`run_${w}_masked`]),
      node("ScatterND", [`summed_${w - 1}`, `run_${w}_at`, `run_${w}_masked`], [`summed_${w}`], [stringAttr("reduction", "add")]),
      node("ScatterND", [`count_${w - 1}`, `run_${w}_at`, `run_${w}_mask_2d`], [`count_${w}`], [stringAttr("reduction", "add")]),
    );
  }
  nodes.push(
    node("Max", [`count_${wordNgrams}`, "one"], ["count_min1"]),
    node("Div", [`summed_${wordNgrams}`, "count_min1"], ["pooled"]),
    ...(fold ? [node("Add", ["pooled", "bias"], ["logits"])] : [node("MatMul", ["pooled", "weight"], ["head_out"]), node("Add", ["head_out", "bias"], ["logits"])]),
  );
  const graph: P.IGraphProto = {
    name: "static_embedding_classifier_flat",
    initializer: [
      floatTensor(fold ? "token_table" : "table", [V, D], p.embedding),
      floatTensor("counts", [V], counts),
      floatTensor("bias", [C], p.bias),
      floatTensor("weight", [D, C], p.weight),
      int64Tensor("width", [W]),
      int64Tensor("one_1d", [1]),
      int64Tensor("axis0", [0]),
      int64Tensor("axis1", [1]),
      int64Tensor("until_end", [UNTIL_END]),
      scalarFloat("one", 1),
      ...(pairs
        ? [
            floatTensor(fold ? "pair_table" : "pairs", [pairs.length / D, D], pairs),
            ...Array.from({ length: wordNgrams }, (_, k) => int64Tensor(`start_${k}`, [k])),
            ...Array.from({ length: wordNgrams - 1 }, (_, k) => int64Tensor(`end_${-(k + 1)}`, [-(k + 1)])),
            ...runHashInitializers(pairs.length / D),
          ]
        : []),
    ],
    input: [valueInfo("token_ids", INT64, ["tokens"]), valueInfo("token_text", INT64, ["tokens"]), valueInfo("num_texts", INT64, [1])],
    output: [valueInfo("logits", FLOAT, ["texts", C])],
    node: nodes,
  };
  return serializeModel(modelOf(graph));
}
