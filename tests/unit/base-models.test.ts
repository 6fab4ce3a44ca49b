import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { encoderHash, listBaseModels, readBaseModel } from "../../lib/kinds/base-models";
import { HubUnreachableError, pullModel } from "../../scripts/lib/hub-pull";
import { writeSynthBert } from "../../scripts/lib/synth-bert";
import { buildTokenizer } from "../../lib/training/tokenizer-builder";

const vocab = buildTokenizer(["Hello world, the fox and the dog.", "Another Text here"], { vocabSize: 200, minCount: 1, lowercase: false }).vocab;

async function modelsRoot(): Promise<string> {
  const root = await mkdtemp(path.join(process.env.TEST_TMP ?? os.tmpdir(), "base-models-"));
  await mkdir(path.join(root, "starter"));
  await writeFile(
    path.join(root, "starter", "config.json"),
    JSON.stringify({ model_type: "static-embedding", architectures: ["StaticEmbeddingForSequenceClassification"], hidden_size: 64, vocab_size: 30000, max_length: 1024 }),
  );
  await writeSynthBert(path.join(root, "tiny-bert"), { layers: 2, hidden: 32, heads: 4, vocab, maxPosition: 128 });
  await writeSynthBert(path.join(root, "fp32-only"), { layers: 1, hidden: 16, heads: 2, vocab, quantized: false });
  // Not base models: trained versions, dot-folders (e.g. a pull in progress), folders without the layout.
  await mkdir(path.join(root, "versions", "abc"), { recursive: true });
  await writeFile(path.join(root, "versions", "abc", "config.json"), "{}");
  await mkdir(path.join(root, ".pull-x"));
  await writeFile(path.join(root, ".pull-x", "config.json"), JSON.stringify({ model_type: "bert" }));
  await mkdir(path.join(root, "half"));
  await writeFile(path.join(root, "half", "config.json"), JSON.stringify({ model_type: "bert" }));
  await writeFile(path.join(root, "README.md"), "models live here");
  return root;
}

test("listBaseModels finds the starter and encoder folders with their shape, size and quantized flag", async () => {
  const root = await modelsRoot();
  const list = await listBaseModels(root);
  assert.deepEqual(list.map((m) => m.name), ["fp32-only", "starter", "tiny-bert"]);
  const tiny = list.find((m) => m.name === "tiny-bert")!;
  assert.equal(tiny.kind, "encoder");
  assert.equal(tiny.modelType, "bert");
  assert.equal(tiny.architecture, "BertModel");
  assert.equal(tiny.hiddenSize, 32);
  assert.equal(tiny.layers, 2);
  assert.equal(tiny.heads, 4);
  assert.equal(tiny.vocabSize, vocab.length);
  assert.equal(tiny.maxPosition, 128);
  assert.equal(tiny.hasQuantized, true);
  assert.equal(tiny.synthetic, true);
  assert.equal(tiny.path, path.join(root, "tiny-bert"));
  const files = ["config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model.onnx", "onnx/model_quantized.onnx"];
  const size = (await Promise.all(files.map((f) => readFile(path.join(root, "tiny-bert", f))))).reduce((s, b) => s + b.length, 0);
  assert.equal(tiny.sizeBytes, size);

  const fp32 = list.find((m) => m.name === "fp32-only")!;
  assert.equal(fp32.hasQuantized, false);
  assert.equal(fp32.layers, 1);

  const starter = list.find((m) => m.name === "starter")!;
  assert.equal(starter.kind, "starter");
  assert.equal(starter.modelType, "static-embedding");
  assert.equal(starter.hiddenSize, 64);
  assert.equal(starter.hasQuantized, false);
  assert.equal(starter.synthetic, false);

  assert.deepEqual(await readBaseModel("tiny-bert", root), tiny);
  assert.equal(await readBaseModel("versions", root), null);
  assert.equal(await readBaseModel("../tiny-bert", root), null);
  assert.equal(await readBaseModel("half", root), null);
  assert.deepEqual(await listBaseModels(path.join(root, "missing")), []);
});

test("encoderHash: stable, depends on the ONNX file used and on the tokenizer", async () => {
  const root = await modelsRoot();
  const tiny = (await readBaseModel("tiny-bert", root))!;
  const h1 = await encoderHash(tiny, false);
  assert.match(h1, /^[0-9a-f]{64}$/);
  assert.equal(await encoderHash(tiny, false), h1);
  const q = await encoderHash(tiny, true);
  assert.notEqual(q, h1);
  assert.equal(await encoderHash(tiny, true), q);

  // A byte-identical copy elsewhere hashes the same (content, not path).
  const root2 = await modelsRoot();
  assert.equal(await encoderHash((await readBaseModel("tiny-bert", root2))!, false), h1);

  // Rewriting the folder with other weights changes it (memo keyed on mtime + size).
  await writeSynthBert(path.join(root2, "tiny-bert"), { layers: 2, hidden: 32, heads: 4, vocab, maxPosition: 128, seed: 99 });
  const future = new Date(Date.now() + 5000);
  await utimes(path.join(root2, "tiny-bert", "onnx", "model.onnx"), future, future);
  assert.notEqual(await encoderHash((await readBaseModel("tiny-bert", root2))!, false), h1);

  // Changing only the tokenizer changes it too.
  const tokPath = path.join(root, "tiny-bert", "tokenizer.json");
  const tj = JSON.parse(await readFile(tokPath, "utf8"));
  tj.normalizer.lowercase = true;
  await writeFile(tokPath, JSON.stringify(tj));
  assert.notEqual(await encoderHash(tiny, false), h1);

  const fp32 = (await readBaseModel("fp32-only", root))!;
  await assert.rejects(encoderHash(fp32, true), /model_quantized/);
});

test("pull fails fast offline, saying the hub is unreachable and how to copy a folder in", async () => {
  const root = await mkdtemp(path.join(process.env.TEST_TMP ?? os.tmpdir(), "pull-"));
  const dest = path.join(root, "bert-base-cased");
  // This machine has no route to huggingface.co; a closed local port stands in where it does.
  for (const endpoint of [undefined, "http://127.0.0.1:9"]) {
    const t0 = Date.now();
    const err = await pullModel("Xenova/bert-base-cased", dest, { endpoint, connectTimeoutMs: 10_000 }).then(
      () => null,
      (e: unknown) => e,
    );
    const ms = Date.now() - t0;
    if (err === null) {
      // A connected machine: the pull worked, which is not what this test is about.
      assert.equal(endpoint, undefined);
      continue;
    }
    assert.ok(err instanceof HubUnreachableError, `expected HubUnreachableError, got ${String(err)}`);
    assert.ok(ms < 12_000, `took ${ms} ms`);
    assert.match(err.message, /no access to the hub/);
    assert.match(err.message, /models\/<name>/);
    assert.match(err.message, /onnx\/model\.onnx/);
    assert.match(err.message, /tokenizer\.json/);
  }
  // Nothing half-written is left behind.
  assert.deepEqual(await readdir(root), []);
  await assert.rejects(pullModel("not a valid id!", dest), /not a Hugging Face model id/);
});
