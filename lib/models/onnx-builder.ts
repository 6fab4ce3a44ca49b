// Small helpers for writing ONNX graphs with onnx-proto: the basic ones live in onnx-export.ts
// (the starter model's graph) and are re-exported here with the few more a transformer needs.
import onnxProto from "onnx-proto";
import type { onnx as P } from "onnx-proto";
import { floatTensor, int64Tensor, intAttr, node, scalarFloat, valueInfo } from "./onnx-export";

export { floatTensor, int64Tensor, intAttr, node, scalarFloat, valueInfo };
export type { P };

// onnx-proto is CommonJS: the runtime namespace comes from the default export.
export const { onnx } = onnxProto;
export const DT = {
  FLOAT: onnx.TensorProto.DataType.FLOAT,
  INT64: onnx.TensorProto.DataType.INT64,
  INT8: onnx.TensorProto.DataType.INT8,
  UINT8: onnx.TensorProto.DataType.UINT8,
  INT32: onnx.TensorProto.DataType.INT32,
} as const;

export function floatAttr(name: string, f: number): P.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.FLOAT, f };
}

export function intsAttr(name: string, ints: number[]): P.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints };
}

export function int8Tensor(name: string, dims: number[], data: Int8Array): P.ITensorProto {
  return { name, dims, dataType: DT.INT8, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Serialises a model with one graph and the default-domain opset given. */
export function encodeModel(graph: P.IGraphProto, opts: { opset: number; irVersion: number; docString?: string }): Uint8Array {
  const model: P.IModelProto = {
    irVersion: opts.irVersion,
    opsetImport: [{ domain: "", version: opts.opset }],
    producerName: "finetune-dashboard",
    producerVersion: "1",
    docString: opts.docString,
    graph,
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}
