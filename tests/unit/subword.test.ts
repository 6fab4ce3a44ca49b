import { test } from "node:test";
import assert from "node:assert/strict";
import * as ort from "onnxruntime-node";
import { exportStaticOnnx, readStaticOnnx } from "../../lib/kinds/starter/onnx";
import { initStaticParams, forwardBatch } from "../../lib/training/static-model";
import { expandFeatures, featureRows, foldSubwords, ngramsOf, ngramTable, pairBucket, spelling, type SubwordOptions } from "../../lib/training/subword";

const VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "f", "r", "##e", "free", "freee", "##ing", "win", "now", "prize", "é"];
const OPTS: SubwordOptions = { minn: 2, maxn: 4, buckets: 97, wordNgrams: 2, pairBuckets: 53 };

test("spellings and n-grams: word boundaries, code points, the whole spelling left to the token's own row", () => {
  assert.equal(spelling("[PAD]"), null);
  assert.equal(spelling("free"), "<free>");
  assert.equal(spelling("##ing"), "ing>");
  assert.deepEqual(ngramsOf("<ab>", 2, 3), ["<a", "<ab", "ab", "ab>", "b>"]);
  assert.deepEqual(ngramsOf("<é>", 2, 5), ["<é", "é>"], "by code point; the whole spelling excluded");
  const table = ngramTable(VOCAB, OPTS);
  assert.equal(table.offsets[1] - table.offsets[0], 0, "special tokens have no n-grams");
  // "free" and "freee" share most n-grams: their rows share most buckets
  const of = (t: number) => [...table.buckets.slice(table.offsets[t], table.offsets[t + 1])];
  const shared = of(8).filter((b) => of(9).includes(b)).length;
  assert.ok(shared >= 6, `shared buckets ${shared}`);
});

test("expanded features: tokens with their n-gram rows, then one row per adjacent pair", () => {
  const table = ngramTable(VOCAB, OPTS);
  const ids = Int32Array.from([8, 11, 12]);
  const f = expandFeatures(ids, VOCAB.length, table, OPTS);
  const ngrams = [8, 11, 12].reduce((n, t) => n + table.offsets[t + 1] - table.offsets[t], 0);
  assert.equal(f.length, 3 + ngrams + 2);
  assert.equal(f[0], 8);
  assert.equal(f[f.length - 1], VOCAB.length + OPTS.buckets + pairBucket(11, 12, OPTS.pairBuckets));
  assert.ok(f.every((x) => x >= 0 && x < featureRows(VOCAB.length, OPTS)));
  assert.deepEqual([...expandFeatures(Int32Array.from([8]), VOCAB.length, table, { ...OPTS, wordNgrams: 1 })].length, 1 + table.offsets[9] - table.offsets[8]);
});

test("the exported graph gives the training model's logits (n-grams folded, pairs hashed in the graph), and reads back", async () => {
  const V = VOCAB.length;
  const table = ngramTable(VOCAB, OPTS);
  for (const opts of [OPTS, { ...OPTS, wordNgrams: 1, pairBuckets: 0 }, { ...OPTS, minn: 0, maxn: 0, buckets: 0 }]) {
    const rows = featureRows(V, opts);
    const p = initStaticParams(rows, 8, 3, 5);
    // non-trivial head and rows
    p.weight.forEach((_, i) => (p.weight[i] = Math.sin(i)));
    p.bias.set([0.1, -0.2, 0.3]);
    for (let i = 0; i < p.embedding.length; i++) p.embedding[i] = Math.cos(i * 0.37);
    const texts = [[8, 11, 12, 13], [9], [5, 7, 7, 10, 14], [1, 2]];
    const expanded = texts.map((t) => expandFeatures(Int32Array.from(t), V, ngramTable(VOCAB, opts), opts));
    const want = forwardBatch(p, expanded).logits;
    const folded = foldSubwords(p.embedding, V, p.dim, ngramTable(VOCAB, opts), opts);
    const graph = exportStaticOnnx({ ...p, vocabSize: V, embedding: folded.tokens }, { counts: folded.counts, pairs: folded.pairs });
    const session = await ort.InferenceSession.create(graph);
    const seq = 6;
    const ids = new BigInt64Array(texts.length * seq);
    const mask = new BigInt64Array(texts.length * seq);
    texts.forEach((t, b) => t.forEach((id, i) => { ids[b * seq + i] = BigInt(id); mask[b * seq + i] = 1n; }));
    const out = await session.run({ input_ids: new ort.Tensor("int64", ids, [texts.length, seq]), attention_mask: new ort.Tensor("int64", mask, [texts.length, seq]) });
    const got = out.logits.data as Float32Array;
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-4, `logit ${i}: graph ${got[i]} vs training ${want[i]} (${JSON.stringify(opts)})`);
    // a one-token batch: the pair branch sees an empty sequence of pairs
    const one = await session.run({ input_ids: new ort.Tensor("int64", BigInt64Array.from([9n]), [1, 1]), attention_mask: new ort.Tensor("int64", BigInt64Array.from([1n]), [1, 1]) });
    const wantOne = forwardBatch(p, [expandFeatures(Int32Array.from([9]), V, ngramTable(VOCAB, opts), opts)]).logits;
    for (let c = 0; c < 3; c++) assert.ok(Math.abs((one.logits.data as Float32Array)[c] - wantOne[c]) < 1e-4);
    await session.release();
    const back = readStaticOnnx(graph);
    assert.deepEqual([...back.subwords!.counts], [...folded.counts]);
    assert.equal(back.subwords!.pairs?.length ?? 0, folded.pairs?.length ?? 0);
  }
});
