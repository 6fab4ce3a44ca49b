import assert from "node:assert/strict";
import { test } from "node:test";
import * as ort from "onnxruntime-node";
import { mergeEncoderHead } from "../../lib/onnx/graph-merge";
import { decodeModel, DT, modelOf, serializeModel, floatTensor, intAttr, node, valueInfo, type P } from "../../lib/onnx/proto";
import { mulberry32 } from "../../lib/training/rng";

// Graph surgery, checked numerically: the merged graph's logits equal encoder → pooling (in JS) →
// head run as separate sessions.

const V = 30;
const H = 8;
const C = 3;

function randn(n: number, rng: () => number, scale = 0.5): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (rng() * 2 - 1) * scale;
  return a;
}

/** A tiny "encoder": h = Tanh((word[input_ids] + type[token_type_ids]) · W + b) → last_hidden_state. */
function tinyEncoder(opset: number, opts: { typeIds?: boolean; seed?: number } = {}): Uint8Array {
  const rng = mulberry32(opts.seed ?? 1);
  const typeIds = opts.typeIds ?? true;
  const nodes: P.INodeProto[] = [node("Gather", ["W", "input_ids"], ["emb"], [intAttr("axis", 0)])];
  let x = "emb";
  const init = [floatTensor("W", [V, H], randn(V * H, rng)), floatTensor("dense.weight", [H, H], randn(H * H, rng)), floatTensor("b", [H], randn(H, rng))];
  if (typeIds) {
    init.push(floatTensor("type_emb", [2, H], randn(2 * H, rng)));
    nodes.push(node("Gather", ["type_emb", "token_type_ids"], ["temb"], [intAttr("axis", 0)]), node("Add", ["emb", "temb"], ["sum"]));
    x = "sum";
  }
  // Names the head below also uses ("W", "b", "features", "pooled_features") test the renaming.
  nodes.push(node("MatMul", [x, "dense.weight"], ["pooled_features"]), node("Add", ["pooled_features", "b"], ["features"]), node("Tanh", ["features"], ["last_hidden_state"]));
  const inputs = ["input_ids", "attention_mask", ...(typeIds ? ["token_type_ids"] : [])];
  const graph: P.IGraphProto = {
    name: "tiny_encoder",
    initializer: init,
    input: inputs.map((n) => valueInfo(n, DT.INT64, ["batch_size", "sequence_length"])),
    output: [valueInfo("last_hidden_state", DT.FLOAT, ["batch_size", "sequence_length", H]), valueInfo("emb", DT.FLOAT, ["batch_size", "sequence_length", H])],
    node: nodes,
  };
  return serializeModel(modelOf(graph, { opset, irVersion: 8 }));
}

/** linear: logits = features · W + b;  mlp: logits = gelu_tanh(features · W1 + b1) · W + b. */
function tinyHead(opset: number, type: "linear" | "mlp", seed = 2): Uint8Array {
  const rng = mulberry32(seed);
  const nodes: P.INodeProto[] = [];
  const init: P.ITensorProto[] = [];
  let x = "features";
  let width = H;
  if (type === "mlp") {
    const Hh = 5;
    init.push(floatTensor("W1", [H, Hh], randn(H * Hh, rng)), floatTensor("b1", [Hh], randn(Hh, rng)));
    init.push({ name: "half", dims: [], dataType: DT.FLOAT, floatData: [0.5] }, { name: "one", dims: [], dataType: DT.FLOAT, floatData: [1] });
    init.push({ name: "c", dims: [], dataType: DT.FLOAT, floatData: [0.044715] }, { name: "k", dims: [], dataType: DT.FLOAT, floatData: [Math.sqrt(2 / Math.PI)] });
    nodes.push(
      node("MatMul", [x, "W1"], ["z0"]),
      node("Add", ["z0", "b1"], ["z"]),
      node("Mul", ["z", "z"], ["z2"]),
      node("Mul", ["z2", "z"], ["z3"]),
      node("Mul", ["z3", "c"], ["cz3"]),
      node("Add", ["z", "cz3"], ["inner"]),
      node("Mul", ["inner", "k"], ["u"]),
      node("Tanh", ["u"], ["t"]),
      node("Add", ["t", "one"], ["t1"]),
      node("Mul", ["z", "t1"], ["zt"]),
      node("Mul", ["zt", "half"], ["a"]),
    );
    x = "a";
    width = Hh;
  }
  init.push(floatTensor("W", [width, C], randn(width * C, rng)), floatTensor("b", [C], randn(C, rng)));
  nodes.push(node("MatMul", [x, "W"], ["xw"]), node("Add", ["xw", "b"], ["logits"]));
  const graph: P.IGraphProto = {
    name: "head",
    initializer: init,
    input: [valueInfo("features", DT.FLOAT, ["batch_size", H])],
    output: [valueInfo("logits", DT.FLOAT, ["batch_size", C])],
    node: nodes,
  };
  return serializeModel(modelOf(graph, { opset, irVersion: 8 }));
}

// Two texts of different lengths, right-padded (ids 0, mask 0).
const B = 2;
const S = 5;
const ids = [4, 9, 17, 3, 22, 7, 11, 0, 0, 0];
const mask = [1, 1, 1, 1, 1, 1, 1, 0, 0, 0];

function feeds(names: readonly string[]): Record<string, ort.Tensor> {
  const all: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor("int64", BigInt64Array.from(ids.map(BigInt)), [B, S]),
    attention_mask: new ort.Tensor("int64", BigInt64Array.from(mask.map(BigInt)), [B, S]),
    token_type_ids: new ort.Tensor("int64", new BigInt64Array(B * S), [B, S]),
  };
  return Object.fromEntries(names.map((n) => [n, all[n]]));
}

async function reference(encoder: Uint8Array, head: Uint8Array, pooling: "mean" | "cls"): Promise<Float32Array> {
  const enc = await ort.InferenceSession.create(encoder);
  const hs = (await enc.run(feeds(enc.inputNames))).last_hidden_state.data as Float32Array;
  const pooled = new Float32Array(B * H);
  for (let b = 0; b < B; b++) {
    if (pooling === "cls") {
      for (let h = 0; h < H; h++) pooled[b * H + h] = hs[b * S * H + h];
      continue;
    }
    let n = 0;
    for (let s = 0; s < S; s++) {
      if (!mask[b * S + s]) continue;
      n++;
      for (let h = 0; h < H; h++) pooled[b * H + h] += hs[(b * S + s) * H + h];
    }
    for (let h = 0; h < H; h++) pooled[b * H + h] /= Math.max(n, 1e-9);
  }
  const hd = await ort.InferenceSession.create(head);
  const out = (await hd.run({ features: new ort.Tensor("float32", pooled, [B, H]) })).logits.data as Float32Array;
  await Promise.all([enc.release(), hd.release()]);
  return out;
}

async function mergedLogits(bytes: Uint8Array): Promise<{ logits: Float32Array; inputs: readonly string[]; outputs: readonly string[] }> {
  const s = await ort.InferenceSession.create(bytes);
  const out = await s.run(feeds(s.inputNames));
  const r = { logits: out.logits.data as Float32Array, inputs: s.inputNames, outputs: s.outputNames };
  await s.release();
  return r;
}

function assertClose(a: Float32Array, b: Float32Array, tol = 1e-5) {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `[${i}] ${a[i]} vs ${b[i]}`);
}

for (const pooling of ["mean", "cls"] as const) {
  for (const headType of ["linear", "mlp"] as const) {
    test(`merge: ${pooling} pooling + ${headType} head equals encoder → pooling → head`, async () => {
      const encoder = tinyEncoder(17);
      const head = tinyHead(17, headType);
      const merged = mergeEncoderHead(encoder, head, { pooling });
      const got = await mergedLogits(merged.bytes);
      assert.deepEqual([...got.inputs], ["input_ids", "attention_mask", "token_type_ids"]);
      assert.deepEqual([...merged.inputs], ["input_ids", "attention_mask", "token_type_ids"]);
      assert.deepEqual([...got.outputs], ["logits"]);
      assertClose(got.logits, await reference(encoder, head, pooling));
    });
  }
}

test("merge: names are unique, the unused encoder output is pruned, opset stays the encoder's", () => {
  const merged = mergeEncoderHead(tinyEncoder(17), tinyHead(13, "linear"), { pooling: "mean" });
  assert.equal(merged.opset, 17);
  const m = decodeModel(merged.bytes);
  const g = m.graph!;
  const produced = g.node!.flatMap((n) => n.output ?? []);
  const inits = g.initializer!.map((t) => t.name!);
  assert.equal(new Set(produced).size, produced.length, "each value is produced once");
  assert.equal(new Set(inits).size, inits.length, "initialiser names are unique");
  assert.ok(!produced.some((p) => inits.includes(p)));
  const nodeNames = g.node!.map((n) => n.name).filter(Boolean);
  assert.equal(new Set(nodeNames).size, nodeNames.length, "node names are unique");
  assert.deepEqual(g.output!.map((o) => o.name), ["logits"]);
  assert.deepEqual(m.opsetImport!.map((o) => [o.domain, Number(o.version)]), [["", 17]]);
});

test("merge: an encoder at opset 12 gets attribute-style ReduceSum/Unsqueeze; one without attention_mask gets it added for mean pooling", async () => {
  // opset 12 on both sides (heads at another opset must be ≥ 13 to move).
  for (const typeIds of [true, false]) {
    const encoder = tinyEncoder(12, { typeIds });
    const head = tinyHead(12, "linear");
    const merged = mergeEncoderHead(encoder, head, { pooling: "mean" });
    assert.equal(merged.opset, 12);
    const got = await mergedLogits(merged.bytes);
    assertClose(got.logits, await reference(encoder, head, "mean"));
  }
  // An encoder that does not take attention_mask at all.
  const g = decodeModel(tinyEncoder(17, { typeIds: false }));
  g.graph!.input = g.graph!.input!.filter((i) => i.name !== "attention_mask");
  const merged = mergeEncoderHead(g, tinyHead(17, "linear"), { pooling: "mean" });
  assert.deepEqual(merged.inputs, ["input_ids", "attention_mask"]);
  const got = await mergedLogits(merged.bytes);
  assertClose(got.logits, await reference(tinyEncoder(17, { typeIds: false }), tinyHead(17, "linear"), "mean"));
});

test("merge: clear errors for a head with the wrong input, a missing encoder output, incompatible opsets", () => {
  const head = decodeModel(tinyHead(17, "linear"));
  head.graph!.input![0].name = "x";
  assert.throws(() => mergeEncoderHead(tinyEncoder(17), head, { pooling: "cls" }), /exactly one input "features"/);
  assert.throws(() => mergeEncoderHead(tinyEncoder(17), tinyHead(17, "linear"), { pooling: "cls", encoderOutput: "hidden" }), /no output "hidden"/);
  const softmaxHead = decodeModel(tinyHead(13, "linear"));
  softmaxHead.graph!.node!.push({ opType: "Softmax", input: ["logits"], output: ["probs"], name: "sm" });
  softmaxHead.graph!.output = [valueInfo("probs", DT.FLOAT, ["batch_size", C])];
  assert.throws(() => mergeEncoderHead(tinyEncoder(17), softmaxHead, { pooling: "cls", headOutput: "probs" }), /ops whose meaning may differ.*Softmax/);
});
