import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import * as ort from "onnxruntime-node";
import * as tar from "tar";
import { env as hfEnv, pipeline } from "@huggingface/transformers";
import { exportArchiveName, exportArchiveResponse, exportArtifact, exportVersion, writeExportArchive } from "../../lib/versions/export";
import { AppError } from "../../lib/errors";
import { loadClassifier } from "../../lib/onnx/classifier";
import { loadStarterClassifier } from "../../lib/kinds/starter/classifier";
import { loadEncoderClassifier, writeEncoderArtifact } from "../../lib/kinds/encoder/artifact";
import { writeSynthBert } from "../../scripts/lib/synth-bert";
import { loadTokenizer } from "../../lib/tokenizers/tokenizer";
import { artifactDir } from "../../lib/versions/store";
import { enqueueRun } from "../../lib/runs/web/enqueue";
import { initHead, type HeadParams } from "../../lib/training/head-model";
import { mulberry32 } from "../../lib/training/rng";
import { SPECIAL_TOKENS } from "../../lib/training/tokenizer-builder";
import { createTestDatabase, tmpDir, type TestDatabase } from "../helpers/db";
import { startWorkerProcess, waitFor, type Proc } from "../helpers/processes";

// Export parity: an exported folder, loaded by transformers.js's text-classification pipeline,
// scores like the product's own classifier (/api/predict's code path) within 1e-4; for encoder
// versions the merged graph equals encoder → pooling → head run separately.

const TOL = 1e-4;
let t: TestDatabase;
let modelsDir: string;
let exportsDir: string;
let starterVersionId: string;
const procs: Proc[] = [];

const TEXTS = [
  "Congratulations! You have WON a free cruise. Click here to claim your prize now!!!",
  "Hi Tom, can we move tomorrow's meeting to 3pm? I need to finish the quarterly report first.",
  "cheap meds online no prescription",
  "Re: the patch you sent fails to build on my machine, see the log below",
  "a",
  "Lorem ipsum ".repeat(800) + "unsubscribe", // longer than max_length: both sides truncate
];

before(async () => {
  modelsDir = tmpDir("models");
  exportsDir = tmpDir("exports");
  process.env.MODELS_DIR = modelsDir; // before anything reads the environment
  t = await createTestDatabase();
  process.env.DATABASE_URL = t.url; // for the route's db()
  hfEnv.allowRemoteModels = false;
  hfEnv.localModelPath = exportsDir;
});

after(async () => {
  await Promise.all(procs.map((p) => p.stop("SIGKILL")));
  await t?.drop();
});

async function trainStarterVersion(): Promise<string> {
  if (starterVersionId) return starterVersionId;
  const w = startWorkerProcess({ DATABASE_URL: t.url, MODELS_DIR: modelsDir });
  procs.push(w);
  // every feature on (long e-mails would have them off by default): n-grams folded into the token
  // rows and runs of up to three tokens hashed in the graph, both under transformers.js
  const r = await enqueueRun(t.db, { table: "demo_email", columns: "label,text", limit: 400, num_train_epochs: 2, seed: 5, minn: 2, maxn: 5, word_ngrams: 3 }, null);
  assert.ok(r.ok, JSON.stringify(r));
  const run = await waitFor("the run to finish", async () => {
    const x = await t.db.trainingRun.findUniqueOrThrow({ where: { id: r.id } });
    return ["succeeded", "failed", "cancelled"].includes(x.status) ? x : null;
  }, 180_000);
  await w.stop();
  assert.equal(run.status, "succeeded", `${run.error}\n${w.output()}`);
  starterVersionId = run.candidateVersionId!;
  return starterVersionId;
}

type Scored = { label: string; score: number }[];

async function pipelineScores(folderName: string, texts: string[]): Promise<Record<string, number>[]> {
  const classify = await pipeline("text-classification", folderName, { local_files_only: true });
  const out = (await classify(texts, { top_k: null })) as unknown as Scored[];
  await classify.dispose();
  return out.map((row) => Object.fromEntries(row.map((s) => [s.label, s.score])));
}

function maxDiff(a: Record<string, number>[], b: Record<string, number>[]): number {
  let d = 0;
  assert.equal(a.length, b.length);
  a.forEach((row, i) => {
    assert.deepEqual(Object.keys(row).sort(), Object.keys(b[i]).sort());
    for (const k of Object.keys(row)) d = Math.max(d, Math.abs(row[k] - b[i][k]));
  });
  return d;
}

test("starter version: the export loads in transformers.js and scores like the product within 1e-4", async () => {
  const versionId = await trainStarterVersion();
  const version = await t.db.modelVersion.findUniqueOrThrow({ where: { id: versionId } });
  const demo = (await t.db.$queryRawUnsafe<{ text: string }[]>(`SELECT "text" FROM demo_email ORDER BY id LIMIT 10`)).map((r) => r.text);
  const texts = [...TEXTS, ...demo];

  const dir = path.join(exportsDir, "starter-export");
  const res = await exportVersion(t.db, versionId, dir);
  assert.equal(res.dir, dir);
  assert.deepEqual(res.files, ["README.md", "config.json", "onnx/model.onnx", "tokenizer.json", "tokenizer_config.json"]);
  const config = JSON.parse(readFileSync(path.join(dir, "config.json"), "utf8"));
  assert.deepEqual(config.subwords, { minn: 2, maxn: 5, buckets: 100_000, wordNgrams: 3, pairBuckets: 50_000 });
  assert.deepEqual(config.architectures, ["BertForSequenceClassification"]);
  assert.equal(config.model_type, "bert");
  assert.deepEqual(config.id2label, { "0": "ham", "1": "spam" });
  assert.deepEqual(config.label2id, { ham: 0, spam: 1 });
  const readme = readFileSync(path.join(dir, "README.md"), "utf8");
  assert.match(readme, /input_ids/);
  assert.match(readme, /\| 1 \| spam \|/);

  // the product serves it through the flat graph (lib/kinds/starter/classifier.ts); the export is the padded one
  const product = await loadStarterClassifier(await artifactDir(t.db, version.artifactHash));
  const mine = (await product.predict(texts)).map((p) => Object.fromEntries(product.labels.map((l, i) => [l, p[i]])));
  await product.close();
  const theirs = await pipelineScores("starter-export", texts);
  const d = maxDiff(mine, theirs);
  console.log(`[export parity] starter: max |Δscore| over ${texts.length} texts = ${d.toExponential(2)}`);
  assert.ok(d <= TOL, `max difference ${d}`);
  // The export also runs under the product's own loader.
  const again = await loadClassifier(dir);
  const viaExport = (await again.predict(texts)).map((p) => Object.fromEntries(again.labels.map((l, i) => [l, p[i]])));
  await again.close();
  assert.ok(maxDiff(mine, viaExport) <= 1e-5); // the same weights, summed in another order

  await assert.rejects(exportVersion(t.db, versionId, dir), /not empty/);
  await assert.rejects(exportVersion(t.db, "no-such-version", path.join(exportsDir, "nothing")), /No model version has the id/);
});

test("the archive (<model>-<version>.tar.gz) holds the export folder; the route streams it to viewers, 404 for unknown ids", async () => {
  const versionId = await trainStarterVersion();
  const file = path.join(exportsDir, "archive.tar.gz");
  const tmpRoot = tmpDir("export-tmp");
  const files = await writeExportArchive(t.db, versionId, file, { tmpDir: tmpRoot });
  const out = path.join(exportsDir, "unpacked");
  mkdirSync(out);
  await tar.x({ file, cwd: out });
  const folder = `default-${versionId}`;
  assert.deepEqual(readdirSync(out), [folder]);
  assert.deepEqual(readdirSync(path.join(out, folder)).sort(), ["README.md", "config.json", "onnx", "tokenizer.json", "tokenizer_config.json"]);
  assert.deepEqual(files, ["README.md", "config.json", "onnx/model.onnx", "tokenizer.json", "tokenizer_config.json"]);
  assert.equal(exportArchiveName("my model/x", "v1"), "my_model_x-v1.tar.gz");

  // The download the route serves (the route adds requireCaller; an unknown id is an AppError the route answers with 404).
  const res = await exportArchiveResponse(t.db, versionId, { tmpDir: tmpRoot });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/gzip");
  assert.equal(res.headers.get("content-disposition"), `attachment; filename="default-${versionId}.tar.gz"`);
  const body = Buffer.from(await res.arrayBuffer());
  assert.deepEqual([...body.subarray(0, 2)], [0x1f, 0x8b], "gzip");
  const viaRoute = path.join(exportsDir, "via-route.tar.gz");
  writeFileSync(viaRoute, body);
  const listed: string[] = [];
  await tar.t({ file: viaRoute, onReadEntry: (e) => listed.push(e.path) });
  assert.ok(listed.includes(`${folder}/onnx/model.onnx`), listed.join(", "));
  await assert.rejects(exportArchiveResponse(t.db, "nope", { tmpDir: tmpRoot }), (e: unknown) => e instanceof AppError && e.code === "unknown_version" && e.status === 404);
  // The temporary export folders are gone once the streams ended or failed (removal is
  // asynchronous: on a loaded machine it may take longer than a fixed 100 ms).
  for (let waited = 0; readdirSync(tmpRoot).length > 0 && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(readdirSync(tmpRoot), []);
});

// --- encoder versions ---------------------------------------------------------------------------

const H = 32;
const WORDS = "the a to of and you your free win won prize click here now meeting report patch build log please money offer cheap re fw hi tom tomorrow".split(" ");
const VOCAB = [...new Set([...SPECIAL_TOKENS, ...WORDS, ...WORDS.map((w) => `##${w.slice(-2)}`).filter((w, i, a) => a.indexOf(w) === i), ..."abcdefghijklmnopqrstuvwxyz0123456789!?.,:'".split(""), ..."abcdefghijklmnopqrstuvwxyz".split("").map((c) => `##${c}`)])];

/** A trained-looking head: initHead's shapes, then seeded random weights (initHead zeroes the output layer). */
function randomHead(type: "linear" | "mlp", numLabels: number, seed: number): HeadParams {
  const rng = mulberry32(seed);
  const h = initHead({ type, inputSize: H, numLabels, hiddenSize: 16, activation: "gelu" }, seed);
  const fill = (a: Float32Array, scale: number) => a.forEach((_, i) => (a[i] = (rng() * 2 - 1) * scale));
  if (h.hidden) fill(h.hidden.weight, 0.6), fill(h.hidden.bias, 0.3);
  fill(h.out.weight, 0.5);
  fill(h.out.bias, 0.3);
  return h;
}

const BASE = "synth-tiny";

/** A version folder exactly as the product writes it (writeEncoderArtifact), on a synth-bert base. */
async function makeEncoderVersion(name: string, o: { pooling: "mean" | "cls"; head: "linear" | "mlp"; quantized: boolean; labels: string[] }): Promise<string> {
  const baseDir = path.join(modelsDir, BASE);
  if (!existsSync(baseDir)) await writeSynthBert(baseDir, { layers: 2, hidden: H, heads: 4, vocab: VOCAB, seed: 11, maxPosition: 64 });
  const dir = path.join(tmpDir("version"), name);
  await writeEncoderArtifact(dir, {
    modelsDir,
    base: BASE,
    pooling: o.pooling,
    maxLength: 24,
    quantized: o.quantized,
    head: randomHead(o.head, o.labels.length, 3),
    labels: o.labels,
  });
  return dir;
}

/** encoder session → pooling in JS → head session, one text at a time (no padding), tokenised as the export's tokenizer does. */
async function referenceLogits(versionDir: string, exportDir: string, texts: string[]): Promise<{ ids: number[][]; logits: Float32Array[] }> {
  const config = JSON.parse(readFileSync(path.join(versionDir, "config.json"), "utf8"));
  const baseDir = path.join(modelsDir, config.base);
  const enc = await ort.InferenceSession.create(path.join(baseDir, "onnx", config.quantized ? "model_quantized.onnx" : "model.onnx"));
  const head = await ort.InferenceSession.create(path.join(versionDir, "head.onnx"));
  const tok = await loadTokenizer(exportDir);
  const ids: number[][] = [];
  const logits: Float32Array[] = [];
  for (const text of texts) {
    const x = (tok(text, { truncation: true, max_length: config.max_length }).input_ids.tolist() as bigint[][])[0].map(Number);
    assert.ok(x.length <= config.max_length);
    ids.push(x);
    const S = x.length;
    const feeds = {
      input_ids: new ort.Tensor("int64", BigInt64Array.from(x.map(BigInt)), [1, S]),
      attention_mask: new ort.Tensor("int64", new BigInt64Array(S).fill(1n), [1, S]),
      token_type_ids: new ort.Tensor("int64", new BigInt64Array(S), [1, S]),
    };
    const hs = (await enc.run(feeds)).last_hidden_state.data as Float32Array;
    const pooled = new Float32Array(H);
    if (config.pooling === "cls") pooled.set(hs.subarray(0, H));
    else {
      for (let s = 0; s < S; s++) for (let h = 0; h < H; h++) pooled[h] += hs[s * H + h];
      for (let h = 0; h < H; h++) pooled[h] /= S;
    }
    logits.push(Float32Array.from((await head.run({ features: new ort.Tensor("float32", pooled, [1, H]) })).logits.data as Float32Array));
  }
  await Promise.all([enc.release(), head.release()]);
  return { ids, logits };
}

async function mergedLogits(exportDir: string, ids: number[][]): Promise<Float32Array[]> {
  const s = await ort.InferenceSession.create(path.join(exportDir, "onnx", "model.onnx"));
  assert.deepEqual([...s.inputNames], ["input_ids", "attention_mask", "token_type_ids"]);
  assert.deepEqual([...s.outputNames], ["logits"]);
  const out: Float32Array[] = [];
  for (const x of ids) {
    const S = x.length;
    const r = await s.run({
      input_ids: new ort.Tensor("int64", BigInt64Array.from(x.map(BigInt)), [1, S]),
      attention_mask: new ort.Tensor("int64", new BigInt64Array(S).fill(1n), [1, S]),
      token_type_ids: new ort.Tensor("int64", new BigInt64Array(S), [1, S]),
    });
    out.push(Float32Array.from(r.logits.data as Float32Array));
  }
  await s.release();
  return out;
}

async function productScores(versionDir: string, labels: readonly string[], texts: string[]): Promise<Record<string, number>[]> {
  const c = await loadEncoderClassifier(versionDir, { modelsDir });
  const probs = await c.predict(texts);
  await c.close();
  return probs.map((p) => Object.fromEntries(labels.map((l, i) => [l, p[i]])));
}

const CASES = [
  { name: "enc-mean-linear", pooling: "mean", head: "linear", quantized: false, labels: ["ham", "spam"] },
  { name: "enc-cls-mlp", pooling: "cls", head: "mlp", quantized: false, labels: ["neg", "neutral", "pos"] },
  { name: "enc-mean-linear-q", pooling: "mean", head: "linear", quantized: true, labels: ["ham", "spam"] },
] as const;

for (const c of CASES) {
  test(`encoder version (${c.pooling} pooling, ${c.head} head${c.quantized ? ", quantized encoder" : ""}): merged graph == encoder → pooling → head; transformers.js loads the export`, async () => {
    const versionDir = await makeEncoderVersion(c.name, { pooling: c.pooling, head: c.head, quantized: c.quantized, labels: [...c.labels] });
    const dir = path.join(exportsDir, c.name);
    const res = await exportArtifact(versionDir, dir, { modelName: "enc", versionId: c.name, modelsDir });
    assert.deepEqual(res.files, ["README.md", "config.json", "onnx/model.onnx", "tokenizer.json", "tokenizer_config.json"]);
    const config = JSON.parse(readFileSync(path.join(dir, "config.json"), "utf8"));
    assert.deepEqual(config.architectures, ["BertForSequenceClassification"]);
    assert.equal(config.model_type, "bert");
    assert.equal(config.num_labels, c.labels.length);
    assert.deepEqual(config.id2label, Object.fromEntries(c.labels.map((l, i) => [String(i), l])));
    assert.equal(JSON.parse(readFileSync(path.join(dir, "tokenizer_config.json"), "utf8")).model_max_length, 24);

    const ref = await referenceLogits(versionDir, dir, TEXTS);
    assert.ok(ref.ids.every((x) => x[0] === VOCAB.indexOf("[CLS]")), "the tokenizer adds [CLS]");
    const merged = await mergedLogits(dir, ref.ids);
    let d = 0;
    merged.forEach((row, i) => row.forEach((v, j) => (d = Math.max(d, Math.abs(v - ref.logits[i][j])))));
    console.log(`[export parity] ${c.name}: merged graph vs encoder→pool→head, max |Δlogit| = ${d.toExponential(2)}`);
    assert.ok(d <= TOL, `max logit difference ${d}`);

    // transformers.js vs the product's own encoder classifier (what /api/predict serves), batched
    // with padding on both sides. A dynamically quantized encoder quantises activations per batch, so
    // its scores depend on what else is in the batch: compare one text at a time there.
    const batches = c.quantized ? TEXTS.map((x) => [x]) : [TEXTS];
    const theirs: Record<string, number>[] = [];
    const mine: Record<string, number>[] = [];
    for (const b of batches) {
      theirs.push(...(await pipelineScores(c.name, b)));
      mine.push(...(await productScores(versionDir, c.labels, b)));
    }
    const ds = maxDiff(mine, theirs);
    console.log(`[export parity] ${c.name}: transformers.js pipeline vs the product's classifier, max |Δscore| = ${ds.toExponential(2)}`);
    assert.ok(ds <= TOL, `max score difference ${ds}`);
    const spread = Math.max(...mine.map((r) => r[c.labels[0]])) - Math.min(...mine.map((r) => r[c.labels[0]]));
    assert.ok(spread > 1e-3, "the texts score differently (the comparison is not between constants)");
  });
}

test("encoder export fails clearly when the base folder is missing or changed", async () => {
  const versionDir = await makeEncoderVersion("enc-missing", { pooling: "mean", head: "linear", quantized: false, labels: ["a", "b"] });
  const cfg = JSON.parse(readFileSync(path.join(versionDir, "config.json"), "utf8"));
  writeFileSync(path.join(versionDir, "config.json"), JSON.stringify({ ...cfg, base: "not-here" }));
  const out = path.join(exportsDir, "enc-missing");
  await assert.rejects(exportArtifact(versionDir, out, { modelsDir }), /base model "not-here" is missing/);
  writeFileSync(path.join(versionDir, "config.json"), JSON.stringify({ ...cfg, base_hash: "f".repeat(64) }));
  await assert.rejects(exportArtifact(versionDir, out, { modelsDir }), /changed since this version was trained/);
  assert.ok(!readdirSync(exportsDir).includes("enc-missing"), "no half-written export is left behind");
});
