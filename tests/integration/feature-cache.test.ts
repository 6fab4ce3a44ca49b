import { test, after } from "node:test";
import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import path from "node:path";
import { createTestDatabase, tmpDir } from "../helpers/db";
import { featuresWithCache, lookupFeatures, textHash, type FeatureCacheKey } from "../../lib/encoders/feature-cache";
import { decodeFloat16, encodeFloat16 } from "../../lib/encoders/f16";
import { loadEncoder } from "../../lib/encoders/encoder";
import { writeSynthBert } from "../../scripts/lib/synth-bert";
import { encoderHash } from "../../lib/kinds/base-models";
import { buildTokenizer } from "../../lib/training/tokenizer-builder";

const dbP = createTestDatabase({ prepare: false, migrate: true });
const root = tmpDir("feature-cache");
after(async () => {
  await (await dbP).drop();
  await rm(root, { recursive: true, force: true });
});

/** A deterministic stand-in encoder that counts what it is asked to encode. */
function fakeEncoder(dim = 8) {
  const calls: string[][] = [];
  const featuresOf = (t: string) => Float32Array.from({ length: dim }, (_, k) => Math.sin(t.length * 0.37 + k) * (1 + (t.charCodeAt(0) || 0) / 100));
  return {
    calls,
    featuresOf,
    encode: async (texts: string[]) => {
      calls.push(texts);
      return texts.map(featuresOf);
    },
  };
}

const KEY: FeatureCacheKey = { encoderHash: "enc-a", pooling: "mean", maxLength: 128 };

test("second call encodes 0; after adding k texts it encodes k; duplicates once; order kept", async () => {
  const { db } = await dbP;
  const texts = Array.from({ length: 50 }, (_, i) => `text number ${i} ${"x".repeat(i % 7)}`);
  const enc = fakeEncoder();
  const first = await featuresWithCache(db, KEY, texts, enc.encode, { encodeChunk: 16 });
  assert.equal(first.encodedRows, 50);
  assert.equal(first.cachedRows, 0);
  assert.equal(enc.calls.length, 4, "encoded in chunks of 16");
  const rounded = (t: string) => decodeFloat16(encodeFloat16(enc.featuresOf(t)));
  texts.forEach((t, i) => assert.deepEqual(first.features[i], rounded(t), `row ${i}`));

  const second = await featuresWithCache(db, KEY, texts, enc.encode);
  assert.equal(second.encodedRows, 0);
  assert.equal(second.cachedRows, 50);
  assert.equal(enc.calls.length, 4, "no encoder call on a warm cache");
  assert.deepEqual(second.features, first.features, "warm features are exactly the cold ones");

  const grown = [...texts.slice(0, 20), "new one", ...texts.slice(20), "new two", "new three"];
  const third = await featuresWithCache(db, KEY, grown, enc.encode);
  assert.equal(third.encodedRows, 3);
  assert.equal(third.cachedRows, 50);
  assert.deepEqual(enc.calls.at(-1), ["new one", "new two", "new three"]);
  grown.forEach((t, i) => assert.deepEqual(third.features[i], rounded(t)));

  const dup = ["dup a", "dup b", "dup a", texts[3], "dup a", texts[3]];
  const fourth = await featuresWithCache(db, KEY, dup, enc.encode);
  assert.deepEqual(enc.calls.at(-1), ["dup a", "dup b"]);
  assert.equal(fourth.encodedRows, 2);
  assert.equal(fourth.cachedRows, 1);
  assert.equal(fourth.duplicateRows, 3);
  dup.forEach((t, i) => assert.deepEqual(fourth.features[i], rounded(t)));
});

test("the key separates encoders, pooling and max_length; float32 is stored exactly", async () => {
  const { db } = await dbP;
  const enc = fakeEncoder(5);
  const texts = ["alpha", "beta"];
  await featuresWithCache(db, { ...KEY, encoderHash: "enc-b" }, texts, enc.encode);
  for (const other of [{ ...KEY, encoderHash: "enc-c" }, { ...KEY, encoderHash: "enc-b", pooling: "cls" }, { ...KEY, encoderHash: "enc-b", maxLength: 64 }]) {
    const r = await featuresWithCache(db, other, texts, enc.encode);
    assert.equal(r.encodedRows, 2, JSON.stringify(other));
  }
  const k32 = { ...KEY, encoderHash: "enc-f32" };
  const r = await featuresWithCache(db, k32, ["exact"], enc.encode, { dtype: "float32" });
  assert.deepEqual(r.features[0], enc.featuresOf("exact"));
  const back = await lookupFeatures(db, k32, [textHash("exact")]);
  assert.deepEqual(back.get(textHash("exact")), enc.featuresOf("exact"));
  const rows = await db.$queryRaw<{ dtype: string; dim: number; n: number }[]>`
    SELECT dtype, dim, length(features) AS n FROM feature_cache WHERE encoder_hash = 'enc-f32'`;
  assert.deepEqual(rows, [{ dtype: "float32", dim: 5, n: 20 }]);
});

test("with a real encoder: cached features match fresh ones to float16 precision", async () => {
  const { db } = await dbP;
  const dir = path.join(root, "tiny-bert");
  const corpus = ["hello world", "the fox and the dog", "cheap meds click here", "meeting on tuesday"];
  await writeSynthBert(dir, { layers: 1, hidden: 16, heads: 2, vocab: buildTokenizer(corpus, { vocabSize: 100, minCount: 1 }).vocab, maxPosition: 64, seed: 2 });
  const encoder = await loadEncoder(dir, { threads: 1 });
  try {
    const key = { encoderHash: await encoderHash({ path: dir }, false), pooling: "mean", maxLength: 32 };
    const encode = (t: string[]) => encoder.encode(t, { pooling: "mean", maxLength: 32 });
    const cold = await featuresWithCache(db, key, corpus, encode);
    const warm = await featuresWithCache(db, key, corpus, encode);
    assert.equal(warm.encodedRows, 0);
    const fresh = await encode(corpus);
    for (let i = 0; i < corpus.length; i++) {
      assert.deepEqual(warm.features[i], cold.features[i]);
      for (let h = 0; h < 16; h++) assert.ok(Math.abs(warm.features[i][h] - fresh[i][h]) <= 1e-3 * Math.max(1, Math.abs(fresh[i][h])));
    }
  } finally {
    await encoder.close();
  }
});
