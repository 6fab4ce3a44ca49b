// Writing and reading ONNX protobufs with onnx-proto: tensors, nodes, attributes, value infos, and
// the one place a model becomes bytes (serializeModel). Graph builders (the starter graph, the
// encoder head, synth-bert, the encoder + head merge) use these helpers.
import onnxProto from "onnx-proto";
import type { onnx as P } from "onnx-proto";

export type { P };

// onnx-proto is CommonJS: the runtime namespace comes from the default export, the types (P) by name.
export const { onnx } = onnxProto;
export const DT = {
  FLOAT: onnx.TensorProto.DataType.FLOAT,
  INT64: onnx.TensorProto.DataType.INT64,
  INT8: onnx.TensorProto.DataType.INT8,
  UINT8: onnx.TensorProto.DataType.UINT8,
  INT32: onnx.TensorProto.DataType.INT32,
} as const;

/** The opset and IR version of the graphs this product writes (the starter graph and heads). */
export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;

export function floatTensor(name: string, dims: number[], data: Float32Array): P.ITensorProto {
  // raw_data is little-endian, as ONNX requires (and as every platform Node runs on stores it).
  return { name, dims, dataType: DT.FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

export function int64Tensor(name: string, values: number[]): P.ITensorProto {
  return { name, dims: [values.length], dataType: DT.INT64, int64Data: values };
}

export function int8Tensor(name: string, dims: number[], data: Int8Array): P.ITensorProto {
  return { name, dims, dataType: DT.INT8, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

export function scalarFloat(name: string, value: number): P.ITensorProto {
  return { name, dims: [], dataType: DT.FLOAT, floatData: [value] };
}

export function node(opType: string, inputs: string[], outputs: string[], attrs: P.IAttributeProto[] = []): P.INodeProto {
  return { opType, input: inputs, output: outputs, name: outputs[0], attribute: attrs };
}

export function intAttr(name: string, i: number): P.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i };
}

export function floatAttr(name: string, f: number): P.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.FLOAT, f };
}

export function stringAttr(name: string, s: string): P.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(s) };
}

export function intsAttr(name: string, ints: number[]): P.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints };
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

/** A model with one graph and the default-domain opset given (this product as its producer). */
export function modelOf(
  graph: P.IGraphProto,
  opts: { opset?: number; irVersion?: number; docString?: string; metadata?: Record<string, string> } = {},
): P.IModelProto {
  return {
    irVersion: opts.irVersion ?? ONNX_IR_VERSION,
    opsetImport: [{ domain: "", version: opts.opset ?? ONNX_OPSET }],
    producerName: "finetune-dashboard",
    producerVersion: "1",
    ...(opts.docString !== undefined ? { docString: opts.docString } : {}),
    ...(opts.metadata ? { metadataProps: Object.entries(opts.metadata).map(([key, value]) => ({ key, value })) } : {}),
    graph,
  };
}

/** A model's bytes: the one place a model is serialised. */
export function serializeModel(model: P.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

export function decodeModel(bytes: Uint8Array): P.ModelProto {
  return onnx.ModelProto.decode(bytes);
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

/** Initializers of a decoded graph by name; `get` throws `<reader>: no initializer "<name>" (<hint>)`. */
export function initializers(model: P.IModelProto, reader: string, hint: string) {
  const inits = new Map((model.graph?.initializer ?? []).map((t) => [t.name, t]));
  return {
    has: (name: string) => inits.has(name),
    get(name: string): P.ITensorProto {
      const t = inits.get(name);
      if (!t) throw new Error(`${reader}: no initializer "${name}" (${hint})`);
      return t;
    },
  };
}
