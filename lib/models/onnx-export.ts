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
import onnxProto from "onnx-proto";
import type { onnx as P } from "onnx-proto";
import type { StaticParams } from "../training/types";

// onnx-proto is CommonJS: the runtime namespace comes from the default export, the types (P) by name.
const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;
export const INIT_NAMES = { embedding: "embeddings.weight", weight: "classifier.weight", bias: "classifier.bias" } as const;

export function floatTensor(name: string, dims: number[], data: Float32Array): P.ITensorProto {
  // raw_data is little-endian, as ONNX requires (and as every platform Node runs on stores it).
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

export function int64Tensor(name: string, values: number[]): P.ITensorProto {
  return { name, dims: [values.length], dataType: INT64, int64Data: values };
}

export function scalarFloat(name: string, value: number): P.ITensorProto {
  return { name, dims: [], dataType: FLOAT, floatData: [value] };
}

export function node(opType: string, inputs: string[], outputs: string[], attrs: P.IAttributeProto[] = []): P.INodeProto {
  return { opType, input: inputs, output: outputs, name: outputs[0], attribute: attrs };
}

export function intAttr(name: string, i: number): P.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i };
}

export function valueInfo(name: string, elemType: number, dims: (string | number)[]): P.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

export function exportStaticOnnx(p: StaticParams): Uint8Array {
  const { vocabSize: V, dim: D, numLabels: C } = p;
  if (p.embedding.length !== V * D || p.weight.length !== D * C || p.bias.length !== C) {
    throw new Error("exportStaticOnnx: parameter sizes do not match vocabSize/dim/numLabels");
  }
  const graph: P.IGraphProto = {
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
  const model: P.IModelProto = {
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: "", version: ONNX_OPSET }],
    producerName: "finetune-dashboard",
    producerVersion: "1",
    graph,
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

/** An ONNX integer field as protobufjs decodes it (a number, a Long, or a string). */
export type Longish = number | { toNumber(): number } | string | null | undefined;
export const toNum = (x: Longish): number => (x == null ? 0 : typeof x === "number" ? x : typeof x === "string" ? Number(x) : x.toNumber());

/** A float tensor's values, from raw_data or float_data. */
export function readFloats(t: P.ITensorProto): Float32Array {
  // Copy into a fresh buffer: the decoded bytes may be an unaligned view (Buffer.slice does not copy).
  if (t.rawData && t.rawData.length) return new Float32Array(new Uint8Array(t.rawData).buffer);
  return Float32Array.from(t.floatData ?? []);
}

/** Reads the weights back from a graph written by exportStaticOnnx. */
export function readStaticOnnx(bytes: Uint8Array): StaticParams {
  const model = onnx.ModelProto.decode(bytes);
  const inits = new Map((model.graph?.initializer ?? []).map((t) => [t.name, t]));
  const get = (name: string) => {
    const t = inits.get(name);
    if (!t) throw new Error(`readStaticOnnx: no initializer "${name}" (not a static-embedding model?)`);
    return t;
  };
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
