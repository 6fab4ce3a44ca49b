// Graph surgery on decoded ONNX models: an encoder graph (→ last_hidden_state [batch, seq, hidden]),
// pooling nodes, and a classification head graph (features [batch, hidden] → logits) become ONE
// graph from the encoder's inputs to `logits`. Used by the encoder kind's export (lib/kinds/encoder/export.ts).
//
//   mean:  mask   = Cast<float>(attention_mask)                        [batch, seq]
//          summed = ReduceSum(last_hidden_state · mask[:, :, None], axes=[1], keepdims=0)
//          count  = Max(ReduceSum(mask, axes=[1], keepdims=1), 1e-9)     [batch, 1]
//          pooled = summed / count                                      (sentence-transformers' mean)
//   cls:   pooled = Gather(last_hidden_state, 0, axis=1)                 (the first token's state)
//
// The head's nodes and initialisers are copied in with its `features` input renamed to the pooled
// tensor; any head name that collides with a name of the encoder or the pooling gets a fresh one.
// Opset: the merged graph keeps the encoder's default-domain opset when the head only uses ops whose
// semantics are the same in both versions (MatMul, Add, Tanh, …), so the big graph is never
// re-interpreted under another opset; other domains take the higher version of the two.
import { decodeModel, onnx, serializeModel, toNum, type Longish, type P } from "./proto";

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const AttrType = onnx.AttributeProto.AttributeType;

export type Pooling = "mean" | "cls";

export interface MergeOptions {
  pooling: Pooling;
  /** The encoder output to pool (default "last_hidden_state"). */
  encoderOutput?: string;
  /** The head's input (default "features"). */
  headInput?: string;
  /** The head's output, which becomes the merged graph's only output (default "logits"). */
  headOutput?: string;
  /** The pooled tensor's name in the merged graph (default "pooled_features", made unique). */
  pooledName?: string;
  /** Graph name (default "<encoder graph>_<pooling>_pool_head"). */
  graphName?: string;
  docString?: string;
}


/** Ops whose behaviour is identical in every opset from 13 on (the ones a classification head uses). */
const OPSET_STABLE_OPS = new Set([
  "Abs", "Add", "Cast", "Constant", "Div", "Erf", "Exp", "Gemm", "Identity", "MatMul", "Max", "Min", "Mul",
  "Neg", "Pow", "Relu", "Sigmoid", "Sqrt", "Sub", "Tanh",
]);
const MIN_STABLE_OPSET = 13;

const isDefaultDomain = (d: string | null | undefined) => !d || d === "ai.onnx";

function defaultOpset(m: P.IModelProto): number {
  const o = (m.opsetImport ?? []).find((x) => isDefaultDomain(x.domain));
  if (!o) throw new Error("ONNX model has no default-domain opset import");
  return toNum(o.version as Longish);
}

/** Every tensor name a graph mentions (inputs, outputs, initialisers, node inputs/outputs, value_info) and its node names. */
function namesOf(g: P.IGraphProto): { values: Set<string>; nodes: Set<string> } {
  const values = new Set<string>();
  const nodes = new Set<string>();
  const add = (n?: string | null) => n && values.add(n);
  for (const v of g.input ?? []) add(v.name);
  for (const v of g.output ?? []) add(v.name);
  for (const v of g.valueInfo ?? []) add(v.name);
  for (const t of g.initializer ?? []) add(t.name);
  for (const t of g.sparseInitializer ?? []) add(t.values?.name);
  for (const n of g.node ?? []) {
    (n.input ?? []).forEach(add);
    (n.output ?? []).forEach(add);
    if (n.name) nodes.add(n.name);
    for (const a of n.attribute ?? []) {
      // Names used inside subgraphs (If/Loop bodies) may refer to outer values: reserve them too.
      for (const sub of [a.g, ...(a.graphs ?? [])]) {
        if (!sub) continue;
        const inner = namesOf(sub);
        inner.values.forEach((x) => values.add(x));
        inner.nodes.forEach((x) => nodes.add(x));
      }
    }
  }
  return { values, nodes };
}

function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
  taken.add(name);
  return name;
}

function hasExternalData(g: P.IGraphProto): boolean {
  return (g.initializer ?? []).some((t) => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (t.externalData ?? []).length > 0);
}

/** The target default-domain opset, or an error saying why the two graphs cannot share one. */
function chooseOpset(encoder: P.IModelProto, head: P.IModelProto): number {
  const enc = defaultOpset(encoder);
  const hd = defaultOpset(head);
  if (enc === hd) return enc;
  const headOps = (head.graph?.node ?? []).filter((n) => isDefaultDomain(n.domain)).map((n) => n.opType ?? "");
  const unstable = [...new Set(headOps.filter((op) => !OPSET_STABLE_OPS.has(op)))];
  if (unstable.length === 0 && Math.min(enc, hd) >= MIN_STABLE_OPSET) return enc;
  throw new Error(
    `Cannot merge: the encoder uses opset ${enc}, the head opset ${hd}` +
      (unstable.length ? ` and ops whose meaning may differ between them (${unstable.join(", ")})` : "") +
      `; write the head with opset ${enc}`,
  );
}

/** Pooling nodes for the given opset (ReduceSum/Unsqueeze take axes as an input from opset 13, as an attribute before). */
function poolingNodes(
  pooling: Pooling,
  opset: number,
  hidden: string,
  mask: string,
  out: string,
  fresh: (base: string) => string,
  freshNode: (base: string) => string,
): { nodes: P.INodeProto[]; initializers: P.ITensorProto[] } {
  const intAttr = (name: string, i: number): P.IAttributeProto => ({ name, type: AttrType.INT, i });
  const intsAttr = (name: string, ints: number[]): P.IAttributeProto => ({ name, type: AttrType.INTS, ints });
  const mk = (opType: string, input: string[], output: string[], attribute: P.IAttributeProto[] = []): P.INodeProto => ({
    opType,
    input,
    output,
    name: freshNode(`pooler/${opType}`),
    attribute,
  });
  if (pooling === "cls") {
    const idx = fresh("pooler/first_token");
    return {
      initializers: [{ name: idx, dims: [], dataType: INT64, int64Data: [0] }],
      nodes: [mk("Gather", [hidden, idx], [out], [intAttr("axis", 1)])],
    };
  }
  const axesInput = opset >= 13;
  const axesSeq = fresh("pooler/axes_seq");
  const axesLast = fresh("pooler/axes_last");
  const eps = fresh("pooler/eps");
  const maskF = fresh("pooler/mask_f");
  const mask3 = fresh("pooler/mask_3d");
  const masked = fresh("pooler/masked_hidden");
  const summed = fresh("pooler/summed");
  const count = fresh("pooler/token_count");
  const countMin = fresh("pooler/token_count_clamped");
  const reduce = (x: string, keepdims: number, y: string) =>
    axesInput
      ? mk("ReduceSum", [x, axesSeq], [y], [intAttr("keepdims", keepdims)])
      : mk("ReduceSum", [x], [y], [intsAttr("axes", [1]), intAttr("keepdims", keepdims)]);
  const initializers: P.ITensorProto[] = [{ name: eps, dims: [], dataType: FLOAT, floatData: [1e-9] }];
  if (axesInput) {
    initializers.push({ name: axesSeq, dims: [1], dataType: INT64, int64Data: [1] });
    initializers.push({ name: axesLast, dims: [1], dataType: INT64, int64Data: [2] });
  }
  return {
    initializers,
    nodes: [
      mk("Cast", [mask], [maskF], [intAttr("to", FLOAT)]),
      axesInput ? mk("Unsqueeze", [maskF, axesLast], [mask3]) : mk("Unsqueeze", [maskF], [mask3], [intsAttr("axes", [2])]),
      mk("Mul", [hidden, mask3], [masked]),
      reduce(masked, 0, summed),
      reduce(maskF, 1, count),
      mk("Max", [count, eps], [countMin]),
      mk("Div", [summed, countMin], [out]),
    ],
  };
}

/** Keeps only the nodes (and initialisers, value_info) that the graph's outputs depend on. */
export function pruneGraph(g: P.IGraphProto): void {
  const needed = new Set((g.output ?? []).map((o) => o.name ?? ""));
  const nodes = g.node ?? [];
  const keep: boolean[] = new Array(nodes.length).fill(false);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i];
    if (!(n.output ?? []).some((o) => needed.has(o))) continue;
    keep[i] = true;
    for (const x of n.input ?? []) if (x) needed.add(x);
    // Values a subgraph reads from the outer scope.
    for (const a of n.attribute ?? []) for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) namesOf(sub).values.forEach((v) => needed.add(v));
  }
  g.node = nodes.filter((_, i) => keep[i]);
  g.initializer = (g.initializer ?? []).filter((t) => needed.has(t.name ?? ""));
  g.valueInfo = (g.valueInfo ?? []).filter((v) => needed.has(v.name ?? ""));
}

/**
 * One ONNX model: the encoder's inputs → encoder → pooling → head → `logits`.
 * Takes serialised or decoded models (decoded ones are modified: pass copies if you keep them).
 */
export interface MergedModel {
  /** The serialised merged model. */
  bytes: Uint8Array;
  /** Its input names, in order (the encoder's, plus attention_mask if mean pooling had to add it). */
  inputs: string[];
  /** Its default-domain opset. */
  opset: number;
}

export function mergeEncoderHead(encoderIn: Uint8Array | P.IModelProto, headIn: Uint8Array | P.IModelProto, opts: MergeOptions): MergedModel {
  const encoder = encoderIn instanceof Uint8Array ? decodeModel(encoderIn) : encoderIn;
  const head = headIn instanceof Uint8Array ? decodeModel(headIn) : headIn;
  const eg = encoder.graph;
  const hg = head.graph;
  if (!eg || !hg) throw new Error("Cannot merge: a model has no graph");
  if (hasExternalData(eg) || hasExternalData(hg)) {
    throw new Error("Cannot merge: the encoder keeps its weights in external data files, which the export does not support yet");
  }
  const encoderOutput = opts.encoderOutput ?? "last_hidden_state";
  const headInput = opts.headInput ?? "features";
  const headOutput = opts.headOutput ?? "logits";

  if (!(eg.output ?? []).some((o) => o.name === encoderOutput)) {
    throw new Error(`Cannot merge: the encoder has no output "${encoderOutput}" (it has ${(eg.output ?? []).map((o) => o.name).join(", ")})`);
  }
  const headInits = new Set((hg.initializer ?? []).map((t) => t.name ?? ""));
  const realHeadInputs = (hg.input ?? []).filter((i) => !headInits.has(i.name ?? ""));
  if (realHeadInputs.length !== 1 || realHeadInputs[0].name !== headInput) {
    throw new Error(`Cannot merge: the head must have exactly one input "${headInput}" (it has ${realHeadInputs.map((i) => i.name).join(", ")})`);
  }
  const headOut = (hg.output ?? []).find((o) => o.name === headOutput);
  if (!headOut) throw new Error(`Cannot merge: the head has no output "${headOutput}"`);

  const opset = chooseOpset(encoder, head);
  const taken = namesOf(eg);
  if (taken.values.has(headOutput)) throw new Error(`Cannot merge: the encoder already uses the name "${headOutput}"`);
  const takenNodes = taken.nodes;
  const fresh = (base: string) => uniqueName(base, taken.values);
  const freshNode = (base: string) => uniqueName(base, takenNodes);

  // Inputs: the encoder's; mean pooling needs attention_mask even if the encoder ignores it.
  const inputs = [...(eg.input ?? [])];
  if (opts.pooling === "mean" && !inputs.some((i) => i.name === "attention_mask")) {
    inputs.push({
      name: "attention_mask",
      type: { tensorType: { elemType: INT64, shape: { dim: [{ dimParam: "batch_size" }, { dimParam: "sequence_length" }] } } },
    });
    taken.values.add("attention_mask");
  }

  const pooled = fresh(opts.pooledName ?? "pooled_features");
  const pool = poolingNodes(opts.pooling, opset, encoderOutput, "attention_mask", pooled, fresh, freshNode);

  // The head, renamed: `features` → pooled, `logits` stays, anything else colliding gets a fresh name.
  taken.values.add(headOutput);
  const rename = new Map<string, string>([[headInput, pooled], [headOutput, headOutput]]);
  const headNames = namesOf(hg);
  for (const n of headNames.values) if (!rename.has(n)) rename.set(n, fresh(n));
  const r = (n: string) => (n ? (rename.get(n) ?? n) : n);
  const nodeRename = new Map<string, string>();
  for (const n of headNames.nodes) nodeRename.set(n, freshNode(n));
  const headNodes = (hg.node ?? []).map((n) => {
    if ((n.attribute ?? []).some((a) => a.g || (a.graphs ?? []).length)) throw new Error("Cannot merge: the head has control-flow subgraphs");
    return { ...n, input: (n.input ?? []).map(r), output: (n.output ?? []).map(r), name: n.name ? nodeRename.get(n.name) : n.name };
  });
  const headInitializers = (hg.initializer ?? []).map((t) => ({ ...t, name: r(t.name ?? "") }));
  const headFeatures = (hg.input ?? []).find((i) => i.name === headInput)!;
  const headValueInfo = [
    ...(hg.valueInfo ?? []).map((v) => ({ ...v, name: r(v.name ?? "") })),
    { ...headFeatures, name: pooled },
  ];
  const encoderOut = (eg.output ?? []).find((o) => o.name === encoderOutput)!;

  const graph: P.IGraphProto = {
    name: opts.graphName ?? `${eg.name || "encoder"}_${opts.pooling}_pool_head`,
    docString: opts.docString ?? eg.docString,
    input: inputs,
    output: [headOut],
    initializer: [...(eg.initializer ?? []), ...pool.initializers, ...headInitializers],
    sparseInitializer: eg.sparseInitializer ?? [],
    node: [...(eg.node ?? []), ...pool.nodes, ...headNodes],
    valueInfo: [...(eg.valueInfo ?? []), encoderOut, ...headValueInfo],
  };
  pruneGraph(graph);

  // Opset imports: the chosen default opset; other domains at the higher of the two versions.
  const domains = new Map<string, number>();
  for (const o of [...(encoder.opsetImport ?? []), ...(head.opsetImport ?? [])]) {
    if (isDefaultDomain(o.domain)) continue;
    const d = o.domain ?? "";
    domains.set(d, Math.max(domains.get(d) ?? 0, toNum(o.version as Longish)));
  }
  const model: P.IModelProto = {
    irVersion: Math.max(toNum(encoder.irVersion as Longish), toNum(head.irVersion as Longish)),
    opsetImport: [{ domain: "", version: opset }, ...[...domains].map(([domain, version]) => ({ domain, version }))],
    producerName: "finetune-dashboard",
    producerVersion: "1",
    docString: opts.docString,
    graph,
    functions: [...(encoder.functions ?? []), ...(head.functions ?? [])],
    metadataProps: encoder.metadataProps ?? [],
  };
  return {
    bytes: serializeModel(onnx.ModelProto.fromObject(model as Record<string, unknown>)),
    inputs: inputs.map((i) => i.name ?? ""),
    opset,
  };
}
