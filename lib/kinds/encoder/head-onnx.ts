// A classification head (lib/training/head-model.ts) as an ONNX graph (opset 17), and back.
//
//   features [batch, inputSize] float  →  logits [batch, numLabels] float
//
//   linear:  logits = MatMul(features, head/out.weight) + head/out.bias
//   mlp:     z = MatMul(features, head/hidden.weight) + head/hidden.bias
//            a = Relu(z)   or   ½·z·(1 + Tanh(√(2/π)·(z + 0.044715·z³)))   (GELU, tanh form)
//            logits = MatMul(a, head/out.weight) + head/out.bias
//
// Every initializer, node and intermediate tensor is named "head/…", the only input is `features`
// and the only output `logits`, so the exporter can append this graph to an encoder's (feeding its
// pooled tensor in as `features`) without name clashes. The same bytes are the version's stored
// head and what warm starts read back (readHeadOnnx): one format.
import { checkHead, GELU_C, GELU_K, type HeadActivation, type HeadParams } from "../../training/head-model";
import { decodeModel, DT, floatTensor, initializers, modelOf, node as onnxNode, readFloats, scalarFloat as scalar, serializeModel, toNum, valueInfo as onnxValueInfo, type P } from "../../onnx/proto";

export const HEAD_INPUT = "features";
export const HEAD_OUTPUT = "logits";
export const HEAD_INIT_NAMES = {
  hiddenWeight: "head/hidden.weight",
  hiddenBias: "head/hidden.bias",
  outWeight: "head/out.weight",
  outBias: "head/out.bias",
} as const;

/** A node with one output, named after it (every head node is). */
const node = (opType: string, inputs: string[], output: string): P.INodeProto => onnxNode(opType, inputs, [output], []);

const valueInfo = (name: string, dims: (string | number)[]) => onnxValueInfo(name, DT.FLOAT, dims);

/** The nodes and initializers of a head, from `input` to `output` (for writeHeadOnnx and for appending to another graph). */
export function headGraphParts(h: HeadParams, input = HEAD_INPUT, output = HEAD_OUTPUT): { nodes: P.INodeProto[]; initializers: P.ITensorProto[] } {
  checkHead(h);
  const C = h.numLabels;
  const nodes: P.INodeProto[] = [];
  const initializers: P.ITensorProto[] = [];
  let x = input;
  let width = h.inputSize;
  if (h.type === "mlp") {
    const H = h.hiddenSize!;
    initializers.push(floatTensor(HEAD_INIT_NAMES.hiddenWeight, [width, H], h.hidden!.weight), floatTensor(HEAD_INIT_NAMES.hiddenBias, [H], h.hidden!.bias));
    nodes.push(node("MatMul", [x, HEAD_INIT_NAMES.hiddenWeight], "head/hidden_matmul"));
    nodes.push(node("Add", ["head/hidden_matmul", HEAD_INIT_NAMES.hiddenBias], "head/z"));
    if (h.activation === "relu") {
      nodes.push(node("Relu", ["head/z"], "head/a"));
    } else {
      initializers.push(scalar("head/gelu_k", GELU_K), scalar("head/gelu_c", GELU_C), scalar("head/one", 1), scalar("head/half", 0.5));
      nodes.push(
        node("Mul", ["head/z", "head/z"], "head/z2"),
        node("Mul", ["head/z2", "head/z"], "head/z3"),
        node("Mul", ["head/z3", "head/gelu_k"], "head/kz3"),
        node("Add", ["head/z", "head/kz3"], "head/inner"),
        node("Mul", ["head/inner", "head/gelu_c"], "head/u"),
        node("Tanh", ["head/u"], "head/tanh"),
        node("Add", ["head/tanh", "head/one"], "head/one_plus_tanh"),
        node("Mul", ["head/z", "head/half"], "head/half_z"),
        node("Mul", ["head/half_z", "head/one_plus_tanh"], "head/a"),
      );
    }
    x = "head/a";
    width = H;
  }
  initializers.push(floatTensor(HEAD_INIT_NAMES.outWeight, [width, C], h.out.weight), floatTensor(HEAD_INIT_NAMES.outBias, [C], h.out.bias));
  nodes.push(node("MatMul", [x, HEAD_INIT_NAMES.outWeight], "head/out_matmul"));
  nodes.push(node("Add", ["head/out_matmul", HEAD_INIT_NAMES.outBias], output));
  return { nodes, initializers };
}

export function writeHeadOnnx(h: HeadParams): Uint8Array {
  const { nodes, initializers: inits } = headGraphParts(h);
  const metadata: Record<string, string> = {
    head_type: h.type,
    input_size: String(h.inputSize),
    num_labels: String(h.numLabels),
    ...(h.type === "mlp" ? { hidden_size: String(h.hiddenSize), activation: String(h.activation) } : {}),
  };
  const graph = {
    name: "classification_head",
    initializer: inits,
    input: [valueInfo(HEAD_INPUT, ["batch", h.inputSize])],
    output: [valueInfo(HEAD_OUTPUT, ["batch", h.numLabels])],
    node: nodes,
  };
  return serializeModel(modelOf(graph, { metadata }));
}

/** The head's parameters from a graph written by writeHeadOnnx. */
export function readHeadOnnx(bytes: Uint8Array): HeadParams {
  const model = decodeModel(bytes);
  const graph = model.graph;
  const inits = initializers(model, "readHeadOnnx", "not a head graph?");
  const get = inits.get;
  const ow = get(HEAD_INIT_NAMES.outWeight);
  const [width, C] = (ow.dims ?? []).map(toNum);
  const out = { weight: readFloats(ow), bias: readFloats(get(HEAD_INIT_NAMES.outBias)) };
  let h: HeadParams;
  if (inits.has(HEAD_INIT_NAMES.hiddenWeight)) {
    const hw = get(HEAD_INIT_NAMES.hiddenWeight);
    const [D, H] = (hw.dims ?? []).map(toNum);
    const ops = new Set((graph?.node ?? []).map((n) => n.opType));
    const activation: HeadActivation = ops.has("Relu") ? "relu" : "gelu";
    h = {
      type: "mlp",
      inputSize: D,
      numLabels: C,
      hiddenSize: H,
      activation,
      hidden: { weight: readFloats(hw), bias: readFloats(get(HEAD_INIT_NAMES.hiddenBias)) },
      out,
    };
    if (width !== H) throw new Error(`readHeadOnnx: output layer takes ${width} inputs, the hidden layer gives ${H}`);
  } else {
    h = { type: "linear", inputSize: width, numLabels: C, out };
  }
  checkHead(h);
  return h;
}
