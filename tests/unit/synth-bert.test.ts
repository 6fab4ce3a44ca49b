import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { writeSynthBert } from "../../scripts/lib/synth-bert";
import { loadTokenizer } from "../../lib/tokenizers/tokenizer";
import { buildTokenizer } from "../../lib/training/tokenizer-builder";

const corpus = [
  "Hello world, this is a small corpus for the synthetic BERT.",
  "The quick brown Fox jumps over the lazy dog.",
  "Cheap meds! Click here to WIN a free prize now!!!",
  "Meeting moved to Tuesday; please bring the slides.",
  "hello again world: the fox and the dog are friends",
  "Zürich café naïve résumé — accents stay in a cased vocabulary.",
];
const vocab = buildTokenizer(corpus, { vocabSize: 400, minCount: 1, lowercase: false }).vocab;
const SHAPE = { layers: 2, hidden: 32, heads: 4, vocab, maxPosition: 64, seed: 7 };
const H = SHAPE.hidden;

async function tmpRoot(prefix: string): Promise<string> {
  return mkdtemp(path.join(process.env.TEST_TMP ?? os.tmpdir(), prefix));
}

const made = (async () => {
  const root = await tmpRoot("synth-bert-");
  const dir = path.join(root, "tiny-bert");
  await writeSynthBert(dir, SHAPE);
  return { root, dir };
})();

/** Runs the encoder on texts padded to the longest or `padTo` (pad id `padId`, mask 0). */
async function encode(session: ort.InferenceSession, idLists: number[][], padTo?: number, padId = 0) {
  const B = idLists.length;
  const S = padTo ?? Math.max(...idLists.map((x) => x.length));
  const ids = new BigInt64Array(B * S).fill(BigInt(padId));
  const mask = new BigInt64Array(B * S);
  idLists.forEach((x, b) => x.forEach((id, i) => {
    ids[b * S + i] = BigInt(id);
    mask[b * S + i] = 1n;
  }));
  const out = await session.run({
    input_ids: new ort.Tensor("int64", ids, [B, S]),
    attention_mask: new ort.Tensor("int64", mask, [B, S]),
    token_type_ids: new ort.Tensor("int64", new BigInt64Array(B * S), [B, S]),
  });
  const t = out.last_hidden_state;
  return { dims: t.dims, data: t.data as Float32Array, S };
}

test("writes the transformers.js folder layout with a BERT config that says its weights are random", async () => {
  const { dir } = await made;
  assert.deepEqual((await readdir(dir)).sort(), ["config.json", "onnx", "tokenizer.json", "tokenizer_config.json"]);
  assert.deepEqual((await readdir(path.join(dir, "onnx"))).sort(), ["model.onnx", "model_quantized.onnx"]);
  const config = JSON.parse(await readFile(path.join(dir, "config.json"), "utf8"));
  assert.equal(config.model_type, "bert");
  assert.deepEqual(config.architectures, ["BertModel"]);
  assert.equal(config.hidden_size, 32);
  assert.equal(config.num_hidden_layers, 2);
  assert.equal(config.num_attention_heads, 4);
  assert.equal(config.intermediate_size, 128);
  assert.equal(config.vocab_size, vocab.length);
  assert.equal(config.max_position_embeddings, 64);
  assert.equal(config.type_vocab_size, 2);
  assert.equal(config.hidden_act, "gelu");
  assert.equal(config.pad_token_id, 0);
  assert.equal(config.synthetic, true);
  assert.match(config.note, /random/i);
  const tc = JSON.parse(await readFile(path.join(dir, "tokenizer_config.json"), "utf8"));
  assert.equal(tc.tokenizer_class, "BertTokenizer");
  assert.equal(tc.do_lower_case, false);
  assert.equal(tc.model_max_length, 64);
  const tj = JSON.parse(await readFile(path.join(dir, "tokenizer.json"), "utf8"));
  assert.equal(tj.normalizer.lowercase, false);
  assert.equal(tj.post_processor.type, "TemplateProcessing");
});

test("same options give byte-identical files; another seed gives other weights", async () => {
  const { dir } = await made;
  const again = path.join(await tmpRoot("synth-bert-again-"), "m");
  const other = path.join(await tmpRoot("synth-bert-other-"), "m");
  await writeSynthBert(again, SHAPE);
  await writeSynthBert(other, { ...SHAPE, seed: 8, quantized: false });
  for (const f of ["config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model.onnx", "onnx/model_quantized.onnx"]) {
    assert.ok((await readFile(path.join(dir, f))).equals(await readFile(path.join(again, f))), `${f} differs between two writes`);
  }
  assert.ok(!(await readFile(path.join(dir, "onnx/model.onnx"))).equals(await readFile(path.join(other, "onnx/model.onnx"))));
  assert.deepEqual(await readdir(path.join(other, "onnx")), ["model.onnx"]);
});

test("onnxruntime-node runs it: last_hidden_state [batch, seq, hidden], finite, text-dependent, padding-invariant", async () => {
  const { dir } = await made;
  const tok = await loadTokenizer(dir);
  const session = await ort.InferenceSession.create(path.join(dir, "onnx", "model.onnx"));
  assert.deepEqual([...session.inputNames].sort(), ["attention_mask", "input_ids", "token_type_ids"]);
  assert.deepEqual(session.outputNames, ["last_hidden_state"]);

  const short = tok.encode("Hello world");
  const long = tok.encode("The quick brown Fox jumps over the lazy dog, and the meeting moved to Tuesday.");
  const other = tok.encode("Cheap meds now");
  assert.ok(long.length > short.length + 5);

  const alone = await encode(session, [short]);
  assert.deepEqual(alone.dims, [1, short.length, H]);
  assert.ok(alone.data.every(Number.isFinite));

  const batched = await encode(session, [short, long]);
  assert.deepEqual(batched.dims, [2, long.length, H]);
  assert.ok(batched.data.every(Number.isFinite));
  // The short text's own positions are unchanged by padding and by the other row.
  let maxDiff = 0;
  for (let i = 0; i < short.length; i++) {
    for (let d = 0; d < H; d++) maxDiff = Math.max(maxDiff, Math.abs(alone.data[i * H + d] - batched.data[i * H + d]));
  }
  assert.ok(maxDiff < 1e-4, `padding changed the outputs by ${maxDiff}`);

  // Pads with a different id give the same outputs too: the mask, not the pad id, hides them.
  const padded = await encode(session, [short], short.length + 7, vocab.indexOf("Hello"));
  for (let i = 0; i < short.length * H; i++) assert.ok(Math.abs(padded.data[i] - alone.data[i]) < 1e-4);

  // Different texts, different features (compare the [CLS] vectors).
  const b = await encode(session, [other]);
  let diff = 0;
  for (let d = 0; d < H; d++) diff += Math.abs(b.data[d] - alone.data[d]);
  assert.ok(diff > 1e-3, "two different texts gave the same [CLS] features");
  await session.release();
});

test("model_quantized.onnx runs and stays close to the fp32 model", async () => {
  const { dir } = await made;
  const tok = await loadTokenizer(dir);
  const fp32 = await ort.InferenceSession.create(path.join(dir, "onnx", "model.onnx"));
  const q8 = await ort.InferenceSession.create(path.join(dir, "onnx", "model_quantized.onnx"));
  const ids = [tok.encode("Hello world, this is a small corpus"), tok.encode("the lazy dog")];
  const a = await encode(fp32, ids);
  const b = await encode(q8, ids);
  assert.deepEqual(b.dims, a.dims);
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.data.length; i++) {
    dot += a.data[i] * b.data[i];
    na += a.data[i] ** 2;
    nb += b.data[i] ** 2;
  }
  const cosine = dot / Math.sqrt(na * nb);
  assert.ok(cosine > 0.99, `quantized output cosine ${cosine}`);
  const sizes = await Promise.all(["model.onnx", "model_quantized.onnx"].map((f) => readFile(path.join(dir, "onnx", f)).then((x) => x.length)));
  assert.ok(sizes[1] < sizes[0], "quantized file is not smaller");
});

test("transformers.js: AutoTokenizer adds [CLS]/[SEP] and keeps case; feature-extraction pipeline runs locally", async () => {
  const { root, dir } = await made;
  const { AutoTokenizer, env, pipeline } = await import("@huggingface/transformers");
  env.allowRemoteModels = false;
  env.localModelPath = root + path.sep;
  const name = path.basename(dir);
  const tok = await AutoTokenizer.from_pretrained(name, { local_files_only: true });
  const ids = tok.encode("Hello world");
  assert.equal(ids[0], vocab.indexOf("[CLS]"));
  assert.equal(ids.at(-1), vocab.indexOf("[SEP]"));
  assert.ok(ids.includes(vocab.indexOf("Hello")), "cased word Hello not kept");
  assert.deepEqual(tok.encode("Hello world", { add_special_tokens: false }), ids.slice(1, -1));

  const extractor = await pipeline("feature-extraction", name, { local_files_only: true, dtype: "fp32" });
  const out = await extractor(["Hello world", "the quick brown Fox jumps"]);
  assert.equal(out.dims[0], 2);
  assert.equal(out.dims[2], H);
  // Same numbers as onnxruntime-node on the same ids.
  const session = await ort.InferenceSession.create(path.join(dir, "onnx", "model.onnx"));
  const ours = await encode(session, [ids]);
  const theirs = out.data as Float32Array;
  for (let i = 0; i < ids.length * H; i++) assert.ok(Math.abs(theirs[i] - ours.data[i]) < 1e-4, `pipeline differs at ${i}`);
  await extractor.dispose();

  const q8 = await pipeline("feature-extraction", name, { local_files_only: true, dtype: "q8" });
  const qout = await q8("Hello world");
  assert.deepEqual(qout.dims, [1, ids.length, H]);
  await q8.dispose();
  await session.release();
});

test("rejects bad shapes and vocabularies", async () => {
  const dir = path.join(await tmpRoot("synth-bert-bad-"), "m");
  await assert.rejects(writeSynthBert(dir, { ...SHAPE, hidden: 30 }), /multiple of heads/);
  await assert.rejects(writeSynthBert(dir, { ...SHAPE, layers: 0 }), /layers/);
  await assert.rejects(writeSynthBert(dir, { ...SHAPE, vocab: ["a", "b"] }), /lacks \[PAD\]/);
});
