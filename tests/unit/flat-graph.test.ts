import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { exportStaticOnnx, readStaticOnnx } from "../../lib/kinds/starter/onnx";
import { flatStaticOnnx } from "../../lib/kinds/starter/flat-graph";
import { loadStarterClassifier, MAX_RUN_TOKENS } from "../../lib/kinds/starter/classifier";
import { writeStaticArtifact } from "../../lib/kinds/starter/artifact";
import { loadClassifier } from "../../lib/onnx/classifier";
import { initStaticParams, forwardBatch } from "../../lib/training/static-model";
import { featureLayout } from "../../lib/training/feature-pool";
import { buildTokenizer } from "../../lib/training/tokenizer-builder";
import { featureRows, foldSubwords, ngramTable, NO_SUBWORDS, type SubwordOptions } from "../../lib/training/subword";
import { mulberry32 } from "../../lib/training/rng";

const VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "f", "r", "##e", "free", "freee", "##ing", "win", "now", "prize", "é"];
const BASE: SubwordOptions = { minn: 2, maxn: 4, buckets: 97, wordNgrams: 2, pairBuckets: 53 };

/** The flat graph's feeds for texts given as token ids, one after another. */
function flatFeeds(texts: number[][]): Record<string, ort.Tensor> {
  const ids = texts.flat();
  const owner = texts.flatMap((t, i) => t.map(() => i));
  return {
    token_ids: new ort.Tensor("int64", BigInt64Array.from(ids, BigInt), [ids.length]),
    token_text: new ort.Tensor("int64", BigInt64Array.from(owner, BigInt), [owner.length]),
    num_texts: new ort.Tensor("int64", BigInt64Array.of(BigInt(texts.length)), [1]),
  };
}

test("the flat graph gives the training model's logits: sub-words and runs of 2–5 tokens or none, head folded (fewer labels than dimensions) or not, texts of any length in one run", async () => {
  const V = VOCAB.length;
  const rng = mulberry32(7);
  // lengths 0, 1, 2 (one pair), long ones; neighbours whose runs must not join across texts
  const texts = [[8, 11, 12, 13], [], [9], [5, 7, 7, 10, 14], [1, 2], [], [13], ...Array.from({ length: 20 }, (_, i) => Array.from({ length: i % 9 }, () => Math.floor(rng() * V)))];
  const configs: SubwordOptions[] = [BASE, { ...BASE, wordNgrams: 3 }, { ...BASE, wordNgrams: 5 }, { ...BASE, wordNgrams: 1, pairBuckets: 0 }, { ...BASE, minn: 0, maxn: 0, buckets: 0, wordNgrams: 3 }, NO_SUBWORDS];
  for (const opts of configs) {
    for (const [dim, labels] of [[8, 3], [2, 5]]) {
      const sub = opts !== NO_SUBWORDS;
      const rows = sub ? featureRows(V, opts) : V;
      const p = initStaticParams(rows, dim, labels, 5);
      p.weight.forEach((_, i) => (p.weight[i] = Math.sin(i)));
      p.bias.forEach((_, i) => (p.bias[i] = 0.1 * i - 0.2));
      for (let i = 0; i < p.embedding.length; i++) p.embedding[i] = Math.cos(i * 0.37);
      const want = sub
        ? forwardBatch(p, texts.map((t) => Int32Array.from(t)), featureLayout(V, ngramTable(VOCAB, opts), opts)).logits
        : forwardBatch(p, texts.map((t) => Int32Array.from(t))).logits;
      const folded = sub ? foldSubwords(p.embedding, V, p.dim, ngramTable(VOCAB, opts), opts) : null;
      const exported = folded
        ? exportStaticOnnx({ ...p, vocabSize: V, embedding: folded.tokens }, { counts: folded.counts, pairs: folded.pairs, wordNgrams: opts.wordNgrams })
        : exportStaticOnnx(p);
      const { subwords, ...params } = readStaticOnnx(exported);
      if (sub) assert.equal(subwords!.wordNgrams, opts.wordNgrams === 1 ? 1 : opts.wordNgrams, "wordNgrams read back from the exported graph");
      const session = await ort.InferenceSession.create(flatStaticOnnx(params, subwords));
      try {
        const what = `${JSON.stringify(opts)}, dim ${dim}, ${labels} labels`;
        const out = await session.run(flatFeeds(texts));
        assert.deepEqual(out.logits.dims, [texts.length, labels], what);
        const got = out.logits.data as Float32Array;
        for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-4, `logit ${i}: flat graph ${got[i]} vs training ${want[i]} (${what})`);
        // no token at all: every text gets the bias
        const empty = await session.run(flatFeeds([[], []]));
        assert.deepEqual([...(empty.logits.data as Float32Array)], [...p.bias, ...p.bias].map((x) => Math.fround(x)), what);
      } finally {
        await session.release();
      }
    }
  }
});

test("loadStarterClassifier scores as the exported graph does (loadClassifier, padded), in one run or split past MAX_RUN_TOKENS, texts in order", async () => {
  const words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"];
  const rng = mulberry32(3);
  const sentence = (n: number) => Array.from({ length: n }, () => words[Math.floor(rng() * words.length)]).join(" ");
  const { tokenizer, tokenizerConfig } = buildTokenizer([words.join(" ")], { minCount: 1, vocabSize: 60, maxLength: 2048 });
  const p = initStaticParams(60, 16, 3, 1);
  for (let i = 0; i < p.embedding.length; i++) p.embedding[i] = Math.sin(i * 0.13);
  p.weight.forEach((_, i) => (p.weight[i] = Math.cos(i)));
  const dir = await mkdtemp(path.join(os.tmpdir(), "flat-"));
  try {
    await writeStaticArtifact(dir, { params: p, labels: ["a", "b", "c"], tokenizer, tokenizerConfig, maxLength: 2048 });
    const flat = await loadStarterClassifier(dir);
    const padded = await loadClassifier(dir, { threads: 1 });
    try {
      assert.deepEqual(await flat.predict([]), []);
      // 300 texts of about 1,000 tokens: over MAX_RUN_TOKENS, so several runs
      const long = Array.from({ length: 300 }, (_, i) => sentence(900 + (i % 200)));
      const short = Array.from({ length: 50 }, (_, i) => sentence(i % 7) || "alpha");
      const alone = await Promise.all([long, short].map(async (t) => (await Promise.all(t.map((x) => flat.predict([x])))).flat()));
      assert.ok(long.join(" ").split(" ").length > MAX_RUN_TOKENS);
      for (const [i, texts] of [long, short].entries()) {
        const [a, b] = await Promise.all([flat.predict(texts), padded.predict(texts)]);
        assert.equal(a.length, texts.length);
        for (let k = 0; k < texts.length; k++) {
          for (let c = 0; c < 3; c++) {
            assert.ok(Math.abs(a[k][c] - b[k][c]) < 1e-5, `text ${k}, label ${c}: flat ${a[k][c]} vs padded ${b[k][c]}`);
            // the same text alone: the same probabilities (the run it shares changes nothing)
            assert.ok(Math.abs(a[k][c] - alone[i][k][c]) < 1e-6, `text ${k} alone vs with the others`);
          }
        }
      }
    } finally {
      await flat.close();
      await padded.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
