import { test, after } from "node:test";
import assert from "node:assert/strict";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { writeSynthBert } from "../../scripts/lib/synth-bert";
import { buildTokenizer } from "../../lib/training/tokenizer-builder";
import { buildFeeds } from "../../lib/onnx/feeds";
import { loadEncoder, makeBatches, poolRow, tokenizeForBatches } from "../../lib/encoders/encoder";
import { fillGaussian, mulberry32 } from "../../lib/training/rng";
import { headPredict, initHead } from "../../lib/training/head-model";
import { packRows } from "../../lib/training/train-head";
import { loadEncoderClassifier, openEncoderSessions, readEncoderArtifact, writeEncoderArtifact } from "../../lib/kinds/encoder/artifact";

const WORDS = "the quick brown fox jumps over lazy dog meeting moved tuesday please bring slides cheap meds click win free prize now hello world".split(" ");

function sentences(n: number, seed: number, maxWords = 40): string[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const k = 1 + Math.floor(rng() * rng() * maxWords); // skewed: many short, a few long
    return Array.from({ length: k }, () => WORDS[Math.floor(rng() * WORDS.length)]).join(" ");
  });
}

const made = (async () => {
  const root = await mkdtemp(path.join(process.env.TEST_TMP ?? os.tmpdir(), "encoder-"));
  const dir = path.join(root, "tiny-bert");
  const vocab = buildTokenizer(sentences(200, 1), { vocabSize: 200, minCount: 1 }).vocab;
  await writeSynthBert(dir, { layers: 2, hidden: 32, heads: 4, vocab, maxPosition: 128, seed: 3 });
  return { root, dir };
})();

after(async () => {
  await rm((await made).root, { recursive: true, force: true });
});

test("makeBatches: every row once, sorted by length, within the token budget", () => {
  const rng = mulberry32(4);
  const lengths = Array.from({ length: 500 }, () => 1 + Math.floor(rng() * 100));
  const batches = makeBatches(lengths, 512, 64);
  const seen = new Set<number>();
  let prev = 0;
  for (const b of batches) {
    const longest = Math.max(...[...b].map((i) => lengths[i]));
    assert.ok(b.length === 1 || b.length * longest <= 512, `batch of ${b.length} × ${longest}`);
    assert.ok(b.length <= 64);
    for (const i of b) {
      assert.ok(lengths[i] >= prev, "ascending lengths");
      prev = lengths[i];
      assert.ok(!seen.has(i));
      seen.add(i);
    }
  }
  assert.equal(seen.size, 500);
  assert.deepEqual(makeBatches([1000, 3], 100).map((b) => [...b]), [[1], [0]], "a row over the budget is a batch alone");
});

test("tokenisation adds [CLS]/[SEP] and truncates like transformers.js truncation=true", async () => {
  const { dir } = await made;
  const enc = await loadEncoder(dir, { threads: 1 });
  try {
    const texts = ["hello world", "", sentences(1, 9, 200)[0] + " " + sentences(1, 10, 200)[0], "zzz unknownword fox"];
    for (const maxLength of [8, 16, 128]) {
      const ids = await enc.tokenize(texts, maxLength);
      for (let i = 0; i < texts.length; i++) {
        const ref = enc.tokenizer(texts[i], { truncation: true, max_length: maxLength, add_special_tokens: true });
        const want = Array.from(ref.input_ids.data as BigInt64Array, Number);
        assert.deepEqual([...ids[i]], want, `text ${i} at max_length ${maxLength}`);
      }
    }
  } finally {
    await enc.close();
  }
});

test("length-bucketed batches give the one-at-a-time features (1e-5) in input order; mean ≠ cls", async () => {
  const { dir } = await made;
  const enc = await loadEncoder(dir, { threads: 2 });
  try {
    assert.equal(enc.hiddenSize, 32);
    assert.deepEqual([...enc.inputNames].sort(), ["attention_mask", "input_ids", "token_type_ids"]);
    const texts = sentences(60, 2, 60);
    const progress: number[] = [];
    for (const pooling of ["mean", "cls"] as const) {
      const batched = await enc.encode(texts, { pooling, maxLength: 64, maxBatchTokens: 256, onProgress: (d) => void progress.push(d) });
      const single = await enc.encode(texts, { pooling, maxLength: 64, maxBatchTokens: 1 }); // every row is its own batch
      assert.equal(batched.length, texts.length);
      for (let i = 0; i < texts.length; i++) {
        assert.equal(batched[i].length, 32);
        for (let h = 0; h < 32; h++) {
          assert.ok(Math.abs(batched[i][h] - single[i][h]) <= 1e-5, `${pooling} row ${i}[${h}]: ${batched[i][h]} vs ${single[i][h]}`);
        }
      }
      // order: a text encoded alone gives its own row
      const [alone] = await enc.encode([texts[17]], { pooling, maxLength: 64 });
      for (let h = 0; h < 32; h++) assert.ok(Math.abs(alone[h] - batched[17][h]) <= 1e-5);
    }
    assert.equal(progress.at(-1), texts.length);
    assert.ok(progress.length > 2, "several batches");
    const mean = await enc.encode(texts.slice(0, 5), { pooling: "mean", maxLength: 64 });
    const cls = await enc.encode(texts.slice(0, 5), { pooling: "cls", maxLength: 64 });
    for (let i = 0; i < 5; i++) assert.ok(mean[i].some((v, h) => Math.abs(v - cls[i][h]) > 1e-3), `row ${i}: mean and cls pooling differ`);
  } finally {
    await enc.close();
  }
});

test("pooling is the masked mean / first token of last_hidden_state; cancellation; quantized file", async () => {
  const { dir } = await made;
  const enc = await loadEncoder(dir, { threads: 1 });
  try {
    const texts = ["hello world fox", "dog"];
    const ids = await enc.tokenize(texts, 32);
    const { feeds, mask, seqLen } = buildFeeds(ids, [0, 1], enc.inputNames);
    const h = (await enc.session.run(feeds)).last_hidden_state.data as Float32Array;
    // row 1 is padded: its mean covers only its own tokens
    const T = seqLen;
    const H = 32;
    const manual = new Float32Array(H);
    for (let t = 0; t < ids[1].length; t++) for (let k = 0; k < H; k++) manual[k] += h[(T + t) * H + k] / ids[1].length;
    const pooled = poolRow(h, mask, 1, T, H, "mean");
    for (let k = 0; k < H; k++) assert.ok(Math.abs(pooled[k] - manual[k]) < 1e-6);
    assert.deepEqual([...poolRow(h, mask, 1, T, H, "cls")], [...h.subarray(T * H, T * H + H)]);
    await assert.rejects(enc.encode(texts, { pooling: "mean", maxLength: 32, signal: AbortSignal.abort() }), { name: "CancelledError" });
    await assert.rejects(enc.encode(texts, { pooling: "max" as "mean", maxLength: 32 }), /pooling/);
  } finally {
    await enc.close();
  }
  const q = await loadEncoder(dir, { quantized: true, threads: 1 });
  try {
    const [f] = await q.encode(["hello world"], { pooling: "mean", maxLength: 16 });
    assert.equal(f.length, 32);
    assert.ok(f.every(Number.isFinite));
  } finally {
    await q.close();
  }
});

test("encode() and encodeIds() give exactly what a bare session.run loop over the same batches gives, pooled", async () => {
  // The timing of the same comparison is a benchmark (npm run bench -- --only encoders), not a test.
  const { dir } = await made;
  const enc = await loadEncoder(dir, { threads: 1 });
  try {
    const texts = sentences(300, 5, 100);
    const maxLength = 128;
    const ids = await tokenizeForBatches(enc.tokenizer, texts, maxLength);
    const H = enc.hiddenSize;
    const bare: Float32Array[] = new Array(texts.length);
    for (const batch of makeBatches(ids.map((x) => x.length))) {
      const { feeds, mask, seqLen } = buildFeeds(ids, batch, enc.inputNames);
      const h = (await enc.session.run(feeds))[enc.outputName].data as Float32Array;
      batch.forEach((row, b) => (bare[row] = poolRow(h, mask, b, seqLen, H, "mean")));
    }
    const viaText = await enc.encode(texts, { pooling: "mean", maxLength });
    const viaIds = await enc.encodeIds(ids, { pooling: "mean", maxLength });
    assert.equal(viaText.length, texts.length);
    assert.equal(viaIds.length, texts.length);
    for (let i = 0; i < texts.length; i++) {
      assert.equal(bare[i].length, H);
      for (let k = 0; k < H; k++) {
        assert.ok(Math.abs(viaText[i][k] - bare[i][k]) < 1e-5, `text ${i}, feature ${k}: encode ${viaText[i][k]} vs bare ${bare[i][k]}`);
        assert.ok(Math.abs(viaIds[i][k] - bare[i][k]) < 1e-5, `text ${i}, feature ${k}: encodeIds ${viaIds[i][k]} vs bare ${bare[i][k]}`);
      }
    }
  } finally {
    await enc.close();
  }
});

test("encoder classifier: artifact round trip, probabilities sum to 1 and match the JS head, one shared encoder session", async () => {
  const { root, dir } = await made;
  const modelsDir = path.join(root, "models");
  await mkdir(modelsDir, { recursive: true });
  await cp(dir, path.join(modelsDir, "tiny"), { recursive: true });
  const labels = ["ham", "spam", "other"];
  const heads = [
    initHead({ type: "linear", inputSize: 32, numLabels: 3 }, 1),
    initHead({ type: "mlp", inputSize: 32, numLabels: 3, hiddenSize: 8, activation: "gelu" }, 1),
  ];
  heads.forEach((h, i) => fillGaussian(h.out.weight, 1, mulberry32(i + 10)));
  const v1 = path.join(root, "versions", "v1");
  const v2 = path.join(root, "versions", "v2");
  await writeEncoderArtifact(v1, { modelsDir, base: "tiny", pooling: "mean", maxLength: 64, quantized: false, head: heads[0], labels });
  await writeEncoderArtifact(v2, { modelsDir, base: "tiny", pooling: "cls", maxLength: 32, quantized: false, head: heads[1], labels });
  const read = await readEncoderArtifact(v2);
  assert.deepEqual(read.head, heads[1]);
  assert.deepEqual(read.labels, labels);
  assert.equal(read.config.base, "tiny");
  assert.equal(read.config.base_model_type, "bert");
  assert.deepEqual(read.config.head, { type: "mlp", hidden_size: 8, activation: "gelu" });
  assert.equal(await readFile(path.join(v1, "tokenizer.json"), "utf8"), await readFile(path.join(dir, "tokenizer.json"), "utf8"));

  const before = openEncoderSessions();
  const c1 = await loadEncoderClassifier(v1, { modelsDir, threads: 1 });
  const c2 = await loadEncoderClassifier(v2, { modelsDir, threads: 1 });
  try {
    assert.equal(openEncoderSessions(), before + 1, "two versions of one base share one encoder session");
    assert.deepEqual(c1.labels, labels);
    assert.equal(c2.maxLength, 32);
    const texts = sentences(25, 8, 50);
    const enc = await loadEncoder(path.join(modelsDir, "tiny"), { threads: 1 });
    try {
      for (const [c, h, pooling, maxLength] of [[c1, heads[0], "mean", 64], [c2, heads[1], "cls", 32]] as const) {
        const probs = await c.predict(texts);
        assert.equal(probs.length, texts.length);
        const feats = await enc.encode(texts, { pooling, maxLength });
        const js = headPredict(h, packRows(feats, 32));
        probs.forEach((p, i) => {
          assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-5, "sums to 1");
          for (let k = 0; k < 3; k++) assert.ok(Math.abs(p[k] - js.at(i, k)) <= 1e-5, `row ${i}: ${p[k]} vs JS ${js.at(i, k)}`);
        });
      }
    } finally {
      await enc.close();
    }
  } finally {
    await c1.close();
    assert.equal(openEncoderSessions(), before + 1, "still held by the second version");
    await c2.close();
  }
  assert.equal(openEncoderSessions(), before);

  // the base changed: a clear message naming the folder
  const tinyTok = path.join(modelsDir, "tiny", "tokenizer.json");
  const original = await readFile(tinyTok, "utf8");
  await writeFile(tinyTok, original.replace('"fox"', '"f0x"'));
  await assert.rejects(loadEncoderClassifier(v1, { modelsDir }), /base model "tiny" changed since this version was trained.*copy the original "tiny" folder/);
  await writeFile(tinyTok, original);
  // the base is missing
  await rm(path.join(modelsDir, "tiny"), { recursive: true });
  await assert.rejects(loadEncoderClassifier(v1, { modelsDir }), /base model "tiny" is missing.*Copy the folder "tiny"/);
});
