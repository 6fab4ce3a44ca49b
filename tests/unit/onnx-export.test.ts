import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { fillGaussian, mulberry32 } from "../../lib/training/rng";
import { forwardBatch, initStaticParams } from "../../lib/training/static-model";
import { buildTokenizer } from "../../lib/training/tokenizer-builder";
import { exportStaticOnnx, readStaticOnnx } from "../../lib/kinds/starter/onnx";
import { readStaticArtifact, writeStaticArtifact } from "../../lib/kinds/starter/artifact";
import { loadClassifier } from "../../lib/onnx/classifier";
import { softmax } from "../../lib/training/metrics";

function randomParams() {
  const p = initStaticParams(50, 16, 3, 1);
  const rng = mulberry32(2);
  fillGaussian(p.embedding, 1, rng);
  fillGaussian(p.weight, 1, rng);
  fillGaussian(p.bias, 1, rng);
  return p;
}

test("onnxruntime runs the exported graph and matches forwardBatch, padding included", async () => {
  const p = randomParams();
  const texts = [[3, 4, 4, 9, 49, 0], [7], [], [12, 13]].map((x) => Int32Array.from(x));
  const S = 6;
  const ids = new BigInt64Array(texts.length * S);
  const mask = new BigInt64Array(texts.length * S);
  texts.forEach((t, b) => t.forEach((id, i) => {
    ids[b * S + i] = BigInt(id);
    mask[b * S + i] = 1n;
  }));
  // pads use id 5, not 0, to show the mask (not the pad id) removes them
  for (let i = 0; i < ids.length; i++) if (mask[i] === 0n) ids[i] = 5n;
  const session = await ort.InferenceSession.create(exportStaticOnnx(p));
  try {
    const out = await session.run({
      input_ids: new ort.Tensor("int64", ids, [texts.length, S]),
      attention_mask: new ort.Tensor("int64", mask, [texts.length, S]),
    });
    assert.deepEqual(out.logits.dims, [4, 3]);
    const expected = forwardBatch(p, texts).logits;
    const got = out.logits.data as Float32Array;
    for (let i = 0; i < expected.length; i++) {
      assert.ok(Math.abs(got[i] - expected[i]) <= 1e-5 * Math.max(1, Math.abs(expected[i])), `logit ${i}: ${got[i]} vs ${expected[i]}`);
    }
    // the empty text gets exactly the bias
    assert.deepEqual([...got.subarray(6, 9)], [...p.bias]);
  } finally {
    await session.release();
  }
});

test("readStaticOnnx returns exactly the exported weights", () => {
  const p = randomParams();
  assert.deepEqual(readStaticOnnx(exportStaticOnnx(p)), p);
});

test("artifact: write → read round trip, byte-deterministic, served by loadClassifier", async () => {
  const p = randomParams();
  const texts = ["alpha beta gamma", "beta beta delta", "gamma alpha epsilon"];
  const { tokenizer, tokenizerConfig, vocab } = buildTokenizer(texts, { minCount: 1, vocabSize: 50, maxLength: 64 });
  assert.ok(vocab.length <= 50);
  const labels = ["neg", "neu", "pos"];
  const a = await mkdtemp(path.join(os.tmpdir(), "art-"));
  const b = await mkdtemp(path.join(os.tmpdir(), "art-"));
  await writeStaticArtifact(a, { params: p, labels, tokenizer, tokenizerConfig, maxLength: 64 });
  await writeStaticArtifact(b, { params: p, labels, tokenizer, tokenizerConfig, maxLength: 64 });
  for (const f of ["config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model.onnx"]) {
    assert.deepEqual(await readFile(path.join(a, f)), await readFile(path.join(b, f)), f);
  }
  assert.deepEqual((await readdir(a)).sort(), ["config.json", "onnx", "tokenizer.json", "tokenizer_config.json"]);
  const config = JSON.parse(await readFile(path.join(a, "config.json"), "utf8"));
  assert.deepEqual(config.id2label, { 0: "neg", 1: "neu", 2: "pos" });
  assert.deepEqual(config.label2id, { neg: 0, neu: 1, pos: 2 });
  assert.equal(config.hidden_size, 16);

  const back = await readStaticArtifact(a);
  assert.deepEqual(back.params, p);
  assert.deepEqual(back.labels, labels);
  assert.equal(back.maxLength, 64);
  assert.equal(back.tokenizerDir, a);

  // the serving path agrees with the TypeScript forward pass on the same token ids
  const clf = await loadClassifier(a, { threads: 1 });
  try {
    const id = (w: string) => vocab.indexOf(w);
    const inputs = ["Alpha beta", "", "delta delta delta gamma epsilon alpha beta", "gamma"];
    const probs = await clf.predict(inputs, 2); // batches of 2, length-sorted, order restored
    const ids = [["alpha", "beta"], [], ["delta", "delta", "delta", "gamma", "epsilon", "alpha", "beta"], ["gamma"]].map((ws) =>
      Int32Array.from(ws.map(id)),
    );
    const expected = softmax(forwardBatch(p, ids).logits, 3);
    probs.forEach((row, i) => row.forEach((v, c) => assert.ok(Math.abs(v - expected[i][c]) < 1e-5, `text ${i} class ${c}`)));
  } finally {
    await clf.close();
  }
});
