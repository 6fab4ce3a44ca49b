import { test } from "node:test";
import assert from "node:assert/strict";
import * as ort from "onnxruntime-node";
import { exportStaticOnnx, readStaticOnnx } from "../../lib/kinds/starter/onnx";
import { initStaticParams, forwardBatch, backwardBatch, softmaxCrossEntropy } from "../../lib/training/static-model";
import { featureLayout } from "../../lib/training/feature-pool";
import { AUTO_FEATURES_MAX_WORDS, medianWords, NO_SUBWORDS, SUBWORD_DEFAULTS, subwordOptions, featureRows, foldSubwords, ngramsOf, ngramTable, pairBucket, spelling, usesNgrams, usesPairs, type NgramTable, type SubwordOptions } from "../../lib/training/subword";

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

/**
 * The definition the model implements: a text's feature rows, listed out (each token, its n-gram
 * rows, then one row per adjacent pair); its vector is the plain mean of those rows.
 */
function expandFeatures(ids: Int32Array, vocabSize: number, table: NgramTable, o: SubwordOptions): Int32Array {
  const out: number[] = [];
  for (const t of ids) {
    out.push(t);
    if (usesNgrams(o)) for (let j = table.offsets[t]; j < table.offsets[t + 1]; j++) out.push(vocabSize + table.buckets[j]);
  }
  const base = vocabSize + (usesNgrams(o) ? o.buckets : 0);
  if (usesPairs(o)) {
    for (let w = 2; w <= o.wordNgrams; w++) {
      for (let i = 0; i + w <= ids.length; i++) {
        // the run's key, spelled out: ((a·P + b) mod M · P + c) mod M …
        let h = (ids[i] * 116049371 + ids[i + 1]) % o.pairBuckets;
        for (let k = 2; k < w; k++) h = (h * 116049371 + ids[i + k]) % o.pairBuckets;
        out.push(base + h);
      }
    }
  }
  return Int32Array.from(out);
}

test("expanded features: tokens with their n-gram rows, then one row per adjacent pair", () => {
  const table = ngramTable(VOCAB, OPTS);
  const ids = Int32Array.from([8, 11, 12]);
  const f = expandFeatures(ids, VOCAB.length, table, OPTS);
  const ngrams = [8, 11, 12].reduce((n, t) => n + table.offsets[t + 1] - table.offsets[t], 0);
  assert.equal(f.length, 3 + ngrams + 2);
  assert.equal(f[0], 8);
  assert.equal(f[f.length - 1], VOCAB.length + OPTS.buckets + pairBucket(11, 12, OPTS.pairBuckets));
  assert.ok([...f].every((x) => x >= 0 && x < featureRows(VOCAB.length, OPTS)));
  assert.deepEqual([...expandFeatures(Int32Array.from([8]), VOCAB.length, table, { ...OPTS, wordNgrams: 1 })].length, 1 + table.offsets[9] - table.offsets[8]);
});

test("the exported graph gives the training model's logits (n-grams folded, pairs hashed in the graph), and reads back", async () => {
  const V = VOCAB.length;
  const table = ngramTable(VOCAB, OPTS);
  for (const opts of [OPTS, { ...OPTS, wordNgrams: 3 }, { ...OPTS, wordNgrams: 5 }, { ...OPTS, wordNgrams: 1, pairBuckets: 0 }, { ...OPTS, minn: 0, maxn: 0, buckets: 0, wordNgrams: 3 }]) {
    const rows = featureRows(V, opts);
    const p = initStaticParams(rows, 8, 3, 5);
    // non-trivial head and rows
    p.weight.forEach((_, i) => (p.weight[i] = Math.sin(i)));
    p.bias.set([0.1, -0.2, 0.3]);
    for (let i = 0; i < p.embedding.length; i++) p.embedding[i] = Math.cos(i * 0.37);
    const texts = [[8, 11, 12, 13], [9], [5, 7, 7, 10, 14], [1, 2]];
    const want = forwardBatch(p, texts.map((t) => Int32Array.from(t)), featureLayout(V, ngramTable(VOCAB, opts), opts)).logits;
    const folded = foldSubwords(p.embedding, V, p.dim, ngramTable(VOCAB, opts), opts);
    const graph = exportStaticOnnx({ ...p, vocabSize: V, embedding: folded.tokens }, { counts: folded.counts, pairs: folded.pairs, wordNgrams: opts.wordNgrams });
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
    const wantOne = forwardBatch(p, [Int32Array.from([9])], featureLayout(V, ngramTable(VOCAB, opts), opts)).logits;
    for (let c = 0; c < 3; c++) assert.ok(Math.abs((one.logits.data as Float32Array)[c] - wantOne[c]) < 1e-4);
    await session.release();
    const back = readStaticOnnx(graph);
    assert.deepEqual([...back.subwords!.counts], [...folded.counts]);
    assert.equal(back.subwords!.pairs?.length ?? 0, folded.pairs?.length ?? 0);
  }
});

test("composing per distinct token gives the expanded features' vectors and gradients, for few and many labels", () => {
  const V = VOCAB.length;
  const texts = [[8, 11, 12, 13, 8, 11], [9], [5, 7, 7, 10, 14], [], [1, 2], [12, 12, 12]].map((t) => Int32Array.from(t));
  for (const [opts, C] of [[OPTS, 3], [OPTS, 70], [{ ...OPTS, wordNgrams: 3 }, 3], [{ ...OPTS, wordNgrams: 1, pairBuckets: 0 }, 2], [{ ...OPTS, minn: 0, maxn: 0, buckets: 0 }, 4]] as [SubwordOptions, number][]) {
    const table = ngramTable(VOCAB, opts);
    const layout = featureLayout(V, table, opts);
    const p = initStaticParams(featureRows(V, opts), 8, C, 7);
    p.weight.forEach((_, i) => (p.weight[i] = Math.sin(i * 0.7)));
    const expanded = texts.map((t) => expandFeatures(t, V, table, opts));
    const labels = texts.map((_, i) => i % C);
    const ref = forwardBatch(p, expanded);
    const got = forwardBatch(p, texts, layout);
    for (let i = 0; i < ref.logits.length; i++) assert.ok(Math.abs(got.logits[i] - ref.logits[i]) < 1e-5, `logit ${i}`);
    const { dlogits } = softmaxCrossEntropy(ref.logits, labels, C);
    const a = backwardBatch(p, expanded, ref, dlogits);
    const b = backwardBatch(p, texts, got, dlogits, layout);
    assert.deepEqual([...b.dRows.keys()].sort((x, y) => x - y), [...a.dRows.keys()].sort((x, y) => x - y), "the same rows get a gradient");
    for (const [row, g] of a.dRows) for (let d = 0; d < g.length; d++) assert.ok(Math.abs(b.dRows.get(row)![d] - g[d]) < 1e-6, `row ${row} dim ${d}: ${b.dRows.get(row)![d]} vs ${g[d]}`);
    for (let i = 0; i < a.dWeight.length; i++) assert.ok(Math.abs(b.dWeight[i] - a.dWeight[i]) < 1e-6);
  }
});

test("defaults: features on for short texts, off for long ones, the serving version's when continuing, the request's always", () => {
  assert.equal(medianWords(["a b", "a b c", "one", "x y z w", "p q r"]), 3);
  assert.equal(medianWords([]), 0);
  const short = subwordOptions({}, { medianWords: AUTO_FEATURES_MAX_WORDS, serving: null });
  assert.deepEqual(short.options, SUBWORD_DEFAULTS);
  assert.match(short.why, /on by default for short texts: the training texts' median is 32 words \(≤ 32\)/);
  const long = subwordOptions({}, { medianWords: AUTO_FEATURES_MAX_WORDS + 1, serving: null });
  assert.deepEqual(long.options, NO_SUBWORDS);
  assert.match(long.why, /off by default for long texts/);
  // a long-text table whose serving version has the features keeps them (so the run can continue from it)
  assert.deepEqual(subwordOptions({}, { medianWords: 150, serving: SUBWORD_DEFAULTS }).options, SUBWORD_DEFAULTS);
  assert.deepEqual(subwordOptions({}, { medianWords: 2, serving: NO_SUBWORDS }).options, NO_SUBWORDS);
  // what the request names wins, and the rest fill in
  assert.deepEqual(subwordOptions({ minn: 3, word_ngrams: 2 }, { medianWords: 150, serving: null }).options, { minn: 3, maxn: 5, buckets: 100_000, wordNgrams: 2, pairBuckets: 50_000 });
  assert.deepEqual(subwordOptions({ minn: 0, word_ngrams: 1 }, { medianWords: 1, serving: null }), { options: NO_SUBWORDS, why: "as requested" });
});

test("a batch with more distinct tokens than the pool's first capacity composes the same vectors", () => {
  const vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ...Array.from({ length: 3000 }, (_, i) => `w${i.toString(36)}`)];
  const opts: SubwordOptions = { minn: 2, maxn: 3, buckets: 211, wordNgrams: 3, pairBuckets: 101 };
  const table = ngramTable(vocab, opts);
  const p = initStaticParams(featureRows(vocab.length, opts), 4, 2, 3);
  const texts = [Int32Array.from({ length: 1500 }, (_, i) => 5 + i), Int32Array.from({ length: 1500 }, (_, i) => 1505 + i)];
  const want = forwardBatch(p, texts.map((t) => expandFeatures(t, vocab.length, table, opts))).logits;
  const got = forwardBatch(p, texts, featureLayout(vocab.length, table, opts)).logits;
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-5, `logit ${i}: ${got[i]} vs ${want[i]}`);
});
