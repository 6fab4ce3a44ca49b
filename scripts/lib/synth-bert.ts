// A BERT-architecture encoder with random weights, written in exactly the folder layout a
// transformers.js conversion of `bert-base-cased` has:
//
//   config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx [, onnx/model_quantized.onnx]
//
// The graph (standard ONNX ops, laid out the way PyTorch exports Hugging Face's BertModel, so that
// onnxruntime's graph optimiser can fuse LayerNorm/Gelu/attention as it does for a real export):
//
//   input_ids, attention_mask, token_type_ids: int64 [batch, sequence]
//   h = LayerNorm(word[input_ids] + position[0:sequence] + token_type[token_type_ids])
//   mask = (1 - float(attention_mask)[:, None, None, :]) * -10000          [batch, 1, 1, sequence]
//   N × { a = Softmax(QKᵀ/√d + mask) V per head;  h = LayerNorm(h + a·Wo + bo)
//         h = LayerNorm(h + Gelu(h·W1 + b1)·W2 + b2) }
//   last_hidden_state = h                                                  float [batch, sequence, hidden]
//
// Its weights are random (seeded N(0, 0.02²), LayerNorm γ=1 β=0): it is for tests and for trying
// the encoder path offline, never for real predictions. model_quantized.onnx holds the same weights
// with every encoder MatMul dynamically quantised (int8 weights per output column, activations
// quantised at run time: DynamicQuantizeLinear → MatMulInteger → Cast → Mul, the pattern
// onnxruntime's own quantize_dynamic writes and fuses).
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { mulberry32, type Rng } from "../../lib/training/rng";
import { addedTokens, SPECIAL_TOKENS, tokenizerConfigJson, tokenizerJson, type Casing } from "../../lib/training/tokenizer-builder";

/** bert-base-cased: case and accents kept. */
const CASED: Casing = { lowercase: false, stripAccents: false };
import {
  DT,
  modelOf,
  serializeModel,
  floatAttr,
  floatTensor,
  int64Tensor,
  int8Tensor,
  intAttr,
  intsAttr,
  node,
  scalarFloat,
  valueInfo,
  type P,
} from "../../lib/onnx/proto";

export interface SynthBertOptions {
  layers: number;
  hidden: number;
  heads: number;
  /** Feed-forward width; default 4 × hidden. */
  intermediate?: number;
  /** WordPiece vocabulary, including [PAD], [UNK], [CLS], [SEP] and [MASK]. */
  vocab: string[];
  /** max_position_embeddings (and the tokenizer's model_max_length); default 512. */
  maxPosition?: number;
  seed?: number;
  /** Also write onnx/model_quantized.onnx; default true. */
  quantized?: boolean;
}

/** Opset 20 has `Gelu` as a standard op (onnxruntime-node ≥ 1.17 runs it). */
export const SYNTH_BERT_OPSET = 20;
export const SYNTH_BERT_IR_VERSION = 9;
const INIT_STD = 0.02;
const LN_EPS = 1e-12;
const TYPE_VOCAB = 2;

interface Linear {
  name: string;
  inDim: number;
  outDim: number;
  weight: Float32Array; // [in, out], row-major, as MatMul(x, W) reads it
  bias: Float32Array;
}

interface LayerWeights {
  q: Linear;
  k: Linear;
  v: Linear;
  attnOut: Linear;
  attnLn: string;
  ffnIn: Linear;
  ffnOut: Linear;
  outLn: string;
}

function gaussianArray(n: number, std: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  // Box–Muller, both outputs used (half the log/sqrt calls of one-per-pair: BERT-base has 110M weights).
  for (let i = 0; i < n; i += 2) {
    let u = 0;
    while (u === 0) u = rng();
    const r = Math.sqrt(-2 * Math.log(u)) * std;
    const t = 2 * Math.PI * rng();
    out[i] = r * Math.cos(t);
    if (i + 1 < n) out[i + 1] = r * Math.sin(t);
  }
  return out;
}

function validate(o: SynthBertOptions): void {
  const posInt = (name: string, v: number | undefined) => {
    if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw new RangeError(`synth-bert: ${name} must be a positive integer (got ${v})`);
  };
  posInt("layers", o.layers);
  posInt("hidden", o.hidden);
  posInt("heads", o.heads);
  posInt("intermediate", o.intermediate);
  posInt("maxPosition", o.maxPosition);
  if (o.hidden % o.heads !== 0) throw new RangeError(`synth-bert: hidden (${o.hidden}) must be a multiple of heads (${o.heads})`);
  const missing = SPECIAL_TOKENS.filter((t) => !o.vocab.includes(t));
  if (missing.length) throw new Error(`synth-bert: vocab lacks ${missing.join(", ")}`);
  if (new Set(o.vocab).size !== o.vocab.length) throw new Error("synth-bert: vocab has duplicate tokens");
}

export function synthBertConfig(o: SynthBertOptions): Record<string, unknown> {
  return {
    _name_or_path: "synth-bert",
    architectures: ["BertModel"],
    model_type: "bert",
    attention_probs_dropout_prob: 0.1,
    classifier_dropout: null,
    hidden_act: "gelu",
    hidden_dropout_prob: 0.1,
    hidden_size: o.hidden,
    initializer_range: INIT_STD,
    intermediate_size: o.intermediate ?? 4 * o.hidden,
    layer_norm_eps: LN_EPS,
    max_position_embeddings: o.maxPosition ?? 512,
    num_attention_heads: o.heads,
    num_hidden_layers: o.layers,
    pad_token_id: o.vocab.indexOf("[PAD]"),
    position_embedding_type: "absolute",
    type_vocab_size: TYPE_VOCAB,
    use_cache: true,
    vocab_size: o.vocab.length,
    synthetic: true,
    note: "synth-bert: a BERT-architecture encoder with RANDOM weights (seeded N(0, 0.02²)), made by `npm run models -- synth-bert`. It loads and runs exactly like a converted bert-base-cased, but its features carry no pretrained meaning: use it for tests and for trying the encoder path offline only.",
    synth_seed: o.seed ?? 1,
  };
}

/** bert-base-cased's tokenizer.json shape over our vocabulary: cased BertNormalizer, [CLS] $A [SEP]. */
export function synthBertTokenizerJson(vocab: string[]): Record<string, unknown> {
  const base = tokenizerJson(vocab, CASED) as Record<string, unknown>;
  const id = (t: string) => vocab.indexOf(t);
  const special = (t: string) => ({ id: t, ids: [id(t)], tokens: [t] });
  const tok = (t: string, typeId: number) => ({ SpecialToken: { id: t, type_id: typeId } });
  const seq = (s: "A" | "B", typeId: number) => ({ Sequence: { id: s, type_id: typeId } });
  return {
    ...base,
    truncation: null,
    padding: { strategy: "BatchLongest", direction: "Right", pad_to_multiple_of: null, pad_id: id("[PAD]"), pad_type_id: 0, pad_token: "[PAD]" },
    added_tokens: addedTokens(id),
    post_processor: {
      type: "TemplateProcessing",
      single: [tok("[CLS]", 0), seq("A", 0), tok("[SEP]", 0)],
      pair: [tok("[CLS]", 0), seq("A", 0), tok("[SEP]", 0), seq("B", 1), tok("[SEP]", 1)],
      special_tokens: { "[CLS]": special("[CLS]"), "[SEP]": special("[SEP]") },
    },
  };
}

export function synthBertTokenizerConfig(maxPosition: number): Record<string, unknown> {
  return { ...(tokenizerConfigJson(maxPosition, CASED) as Record<string, unknown>), padding_side: "right", truncation_side: "right" };
}

/** All weights, drawn in a fixed order from one seeded generator. */
function makeWeights(o: Required<Omit<SynthBertOptions, "quantized">>) {
  const rng = mulberry32(o.seed);
  const H = o.hidden;
  const I = o.intermediate;
  const lin = (name: string, inDim: number, outDim: number): Linear => ({
    name,
    inDim,
    outDim,
    weight: gaussianArray(inDim * outDim, INIT_STD, rng),
    bias: new Float32Array(outDim),
  });
  const word = gaussianArray(o.vocab.length * H, INIT_STD, rng);
  const pad = o.vocab.indexOf("[PAD]");
  word.fill(0, pad * H, pad * H + H); // nn.Embedding(padding_idx) starts the pad row at 0, as BERT's does
  const position = gaussianArray(o.maxPosition * H, INIT_STD, rng);
  const tokenType = gaussianArray(TYPE_VOCAB * H, INIT_STD, rng);
  const layers: LayerWeights[] = [];
  for (let l = 0; l < o.layers; l++) {
    const p = `encoder.layer.${l}`;
    layers.push({
      q: lin(`${p}.attention.self.query`, H, H),
      k: lin(`${p}.attention.self.key`, H, H),
      v: lin(`${p}.attention.self.value`, H, H),
      attnOut: lin(`${p}.attention.output.dense`, H, H),
      attnLn: `${p}.attention.output.LayerNorm`,
      ffnIn: lin(`${p}.intermediate.dense`, H, I),
      ffnOut: lin(`${p}.output.dense`, I, H),
      outLn: `${p}.output.LayerNorm`,
    });
  }
  return { word, position, tokenType, layers };
}

type Weights = ReturnType<typeof makeWeights>;

/** Per-output-column symmetric int8: W ≈ q · scale[col]. */
function quantizeColumns(w: Float32Array, inDim: number, outDim: number): { q: Int8Array; scale: Float32Array } {
  const scale = new Float32Array(outDim);
  for (let k = 0; k < inDim; k++) {
    const row = k * outDim;
    for (let n = 0; n < outDim; n++) {
      const a = Math.abs(w[row + n]);
      if (a > scale[n]) scale[n] = a;
    }
  }
  for (let n = 0; n < outDim; n++) scale[n] = scale[n] > 0 ? scale[n] / 127 : 1;
  const q = new Int8Array(w.length);
  for (let k = 0; k < inDim; k++) {
    const row = k * outDim;
    for (let n = 0; n < outDim; n++) q[row + n] = Math.max(-127, Math.min(127, Math.round(w[row + n] / scale[n])));
  }
  return { q, scale };
}

function buildGraph(o: Required<Omit<SynthBertOptions, "quantized">>, w: Weights, quantized: boolean): Uint8Array {
  const H = o.hidden;
  const A = o.heads;
  const D = H / A;
  const init: P.ITensorProto[] = [];
  const nodes: P.INodeProto[] = [];
  const add = (n: P.INodeProto) => nodes.push(n);

  init.push(
    int64Tensor("const_axes_0", [0]),
    int64Tensor("const_axes_1_2", [1, 2]),
    int64Tensor("const_zero_1d", [0]),
    int64Tensor("const_shape_heads", [0, 0, A, D]),
    int64Tensor("const_shape_hidden", [0, 0, H]),
    scalarFloat("const_one", 1),
    scalarFloat("const_mask_fill", -10000),
    scalarFloat("const_sqrt_head_dim", Math.sqrt(D)),
  );

  // A MatMul by a weight, plus its bias. Quantised: the activation's DynamicQuantizeLinear is shared
  // by every MatMul reading the same tensor (Q, K and V read one).
  const dq = new Map<string, [string, string, string]>();
  const linear = (x: string, l: Linear, out: string) => {
    init.push(floatTensor(`${l.name}.bias`, [l.outDim], l.bias));
    if (!quantized) {
      init.push(floatTensor(`${l.name}.weight`, [l.inDim, l.outDim], l.weight));
      add(node("MatMul", [x, `${l.name}.weight`], [`${out}_matmul`]));
    } else {
      let qx = dq.get(x);
      if (!qx) {
        qx = [`${x}_quantized`, `${x}_scale`, `${x}_zero_point`];
        add(node("DynamicQuantizeLinear", [x], qx));
        dq.set(x, qx);
      }
      const { q, scale } = quantizeColumns(l.weight, l.inDim, l.outDim);
      init.push(
        int8Tensor(`${l.name}.weight_quantized`, [l.inDim, l.outDim], q),
        floatTensor(`${l.name}.weight_scale`, [l.outDim], scale),
        int8Tensor(`${l.name}.weight_zero_point`, [], new Int8Array(1)),
      );
      add(node("MatMulInteger", [qx[0], `${l.name}.weight_quantized`, qx[2], `${l.name}.weight_zero_point`], [`${out}_matmul_int32`]));
      add(node("Cast", [`${out}_matmul_int32`], [`${out}_matmul_cast`], [intAttr("to", DT.FLOAT)]));
      add(node("Mul", [qx[1], `${l.name}.weight_scale`], [`${out}_matmul_scale`]));
      add(node("Mul", [`${out}_matmul_cast`, `${out}_matmul_scale`], [`${out}_matmul`]));
    }
    add(node("Add", [`${out}_matmul`, `${l.name}.bias`], [out]));
  };
  const layerNorm = (x: string, name: string, out: string) => {
    init.push(floatTensor(`${name}.weight`, [H], new Float32Array(H).fill(1)), floatTensor(`${name}.bias`, [H], new Float32Array(H)));
    add(node("LayerNormalization", [x, `${name}.weight`, `${name}.bias`], [out], [intAttr("axis", -1), floatAttr("epsilon", LN_EPS)]));
  };

  // Embeddings.
  init.push(
    floatTensor("embeddings.word_embeddings.weight", [o.vocab.length, H], w.word),
    floatTensor("embeddings.position_embeddings.weight", [o.maxPosition, H], w.position),
    floatTensor("embeddings.token_type_embeddings.weight", [TYPE_VOCAB, H], w.tokenType),
  );
  add(node("Gather", ["embeddings.word_embeddings.weight", "input_ids"], ["embeddings_word"], [intAttr("axis", 0)]));
  add(node("Shape", ["input_ids"], ["sequence_length"], [intAttr("start", 1), intAttr("end", 2)]));
  add(node("Slice", ["embeddings.position_embeddings.weight", "const_zero_1d", "sequence_length", "const_axes_0"], ["embeddings_position"]));
  add(node("Gather", ["embeddings.token_type_embeddings.weight", "token_type_ids"], ["embeddings_token_type"], [intAttr("axis", 0)]));
  add(node("Add", ["embeddings_word", "embeddings_position"], ["embeddings_sum1"]));
  add(node("Add", ["embeddings_sum1", "embeddings_token_type"], ["embeddings_sum"]));
  layerNorm("embeddings_sum", "embeddings.LayerNorm", "hidden_0");

  // Extended attention mask, broadcast over heads and query positions.
  add(node("Unsqueeze", ["attention_mask", "const_axes_1_2"], ["mask_4d"]));
  add(node("Cast", ["mask_4d"], ["mask_float"], [intAttr("to", DT.FLOAT)]));
  add(node("Sub", ["const_one", "mask_float"], ["mask_inverted"]));
  add(node("Mul", ["mask_inverted", "const_mask_fill"], ["mask_additive"]));

  let h = "hidden_0";
  w.layers.forEach((L, l) => {
    const p = `layer${l}`;
    linear(h, L.q, `${p}_q`);
    linear(h, L.k, `${p}_k`);
    linear(h, L.v, `${p}_v`);
    add(node("Reshape", [`${p}_q`, "const_shape_heads"], [`${p}_q_heads`]));
    add(node("Transpose", [`${p}_q_heads`], [`${p}_q_t`], [intsAttr("perm", [0, 2, 1, 3])]));
    add(node("Reshape", [`${p}_k`, "const_shape_heads"], [`${p}_k_heads`]));
    add(node("Transpose", [`${p}_k_heads`], [`${p}_k_t`], [intsAttr("perm", [0, 2, 3, 1])]));
    add(node("Reshape", [`${p}_v`, "const_shape_heads"], [`${p}_v_heads`]));
    add(node("Transpose", [`${p}_v_heads`], [`${p}_v_t`], [intsAttr("perm", [0, 2, 1, 3])]));
    add(node("MatMul", [`${p}_q_t`, `${p}_k_t`], [`${p}_scores_raw`]));
    add(node("Div", [`${p}_scores_raw`, "const_sqrt_head_dim"], [`${p}_scores_scaled`]));
    add(node("Add", [`${p}_scores_scaled`, "mask_additive"], [`${p}_scores`]));
    add(node("Softmax", [`${p}_scores`], [`${p}_probs`], [intAttr("axis", -1)]));
    add(node("MatMul", [`${p}_probs`, `${p}_v_t`], [`${p}_context_heads`]));
    add(node("Transpose", [`${p}_context_heads`], [`${p}_context_t`], [intsAttr("perm", [0, 2, 1, 3])]));
    add(node("Reshape", [`${p}_context_t`, "const_shape_hidden"], [`${p}_context`]));
    linear(`${p}_context`, L.attnOut, `${p}_attn_out`);
    add(node("Add", [`${p}_attn_out`, h], [`${p}_attn_residual`]));
    layerNorm(`${p}_attn_residual`, L.attnLn, `${p}_attn_norm`);
    linear(`${p}_attn_norm`, L.ffnIn, `${p}_ffn_in`);
    add(node("Gelu", [`${p}_ffn_in`], [`${p}_ffn_act`]));
    linear(`${p}_ffn_act`, L.ffnOut, `${p}_ffn_out`);
    add(node("Add", [`${p}_ffn_out`, `${p}_attn_norm`], [`${p}_ffn_residual`]));
    const out = l === w.layers.length - 1 ? "last_hidden_state" : `hidden_${l + 1}`;
    layerNorm(`${p}_ffn_residual`, L.outLn, out);
    h = out;
  });
  if (w.layers.length === 0) add(node("Identity", ["hidden_0"], ["last_hidden_state"]));

  const graph: P.IGraphProto = {
    name: quantized ? "synth_bert_quantized" : "synth_bert",
    initializer: init,
    input: ["input_ids", "attention_mask", "token_type_ids"].map((n) => valueInfo(n, DT.INT64, ["batch_size", "sequence_length"])),
    output: [valueInfo("last_hidden_state", DT.FLOAT, ["batch_size", "sequence_length", H])],
    node: nodes,
  };
  return serializeModel(modelOf(graph, {
    opset: SYNTH_BERT_OPSET,
    irVersion: SYNTH_BERT_IR_VERSION,
    docString: "synth-bert: BERT architecture with RANDOM weights (not pretrained).",
  }));
}

/**
 * Writes a synth-bert folder into `dir` (created if missing; files in it are overwritten).
 * Deterministic: the same options give byte-identical files.
 */
export async function writeSynthBert(dir: string, opts: SynthBertOptions): Promise<void> {
  validate(opts);
  const o = {
    layers: opts.layers,
    hidden: opts.hidden,
    heads: opts.heads,
    intermediate: opts.intermediate ?? 4 * opts.hidden,
    vocab: opts.vocab,
    maxPosition: opts.maxPosition ?? 512,
    seed: opts.seed ?? 1,
  };
  const json = (v: unknown) => JSON.stringify(v, null, 2) + "\n";
  await mkdir(path.join(dir, "onnx"), { recursive: true });
  await writeFile(path.join(dir, "config.json"), json(synthBertConfig(o)));
  await writeFile(path.join(dir, "tokenizer.json"), json(synthBertTokenizerJson(o.vocab)));
  await writeFile(path.join(dir, "tokenizer_config.json"), json(synthBertTokenizerConfig(o.maxPosition)));
  const weights = makeWeights(o);
  await writeFile(path.join(dir, "onnx", "model.onnx"), buildGraph(o, weights, false));
  if (opts.quantized ?? true) await writeFile(path.join(dir, "onnx", "model_quantized.onnx"), buildGraph(o, weights, true));
}
