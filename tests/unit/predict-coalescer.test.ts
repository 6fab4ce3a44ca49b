// The predict coalescer on a real starter model served by onnxruntime: ONNX runs are counted by
// wrapping InferenceSession.prototype.run (the real run still happens), not by mocking onnxruntime.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, beforeEach, test } from "node:test";
import * as ort from "onnxruntime-node";
import { writeStaticArtifact } from "../../lib/kinds/starter/artifact";
import { loadClassifier, type Classifier } from "../../lib/onnx/classifier";
import { coalescePredictions } from "../../lib/onnx/predict-coalescer";
import { fillGaussian, mulberry32 } from "../../lib/training/rng";
import { initStaticParams } from "../../lib/training/static-model";
import { buildTokenizer } from "../../lib/training/tokenizer-builder";

const WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"];
const REQUESTS = [
  ["alpha beta", "gamma"],
  ["delta delta delta epsilon zeta eta theta iota kappa alpha"],
  ["", "unknown words only", "kappa iota"],
  ["beta"],
  ["zeta eta", "theta theta", "alpha gamma epsilon"],
];

let dir: string;
let classifier: Classifier;
let runs = 0;
/** when set, the session.run with this number (1-based, counted since the test began) fails with this error */
let failNext: { at: number; err: Error } | null = null;
/** the class of every session InferenceSession.create makes (onnxruntime's types show only the factory) */
const sessionPrototype = (ort.InferenceSession as unknown as { prototype: ort.InferenceSession }).prototype;
const originalRun = sessionPrototype.run;

before(async () => {
  const params = initStaticParams(64, 16, 3, 1);
  const rng = mulberry32(7);
  fillGaussian(params.embedding, 1, rng);
  fillGaussian(params.weight, 1, rng);
  fillGaussian(params.bias, 1, rng);
  const { tokenizer, tokenizerConfig } = buildTokenizer([WORDS.join(" ")], { minCount: 1, vocabSize: 64, maxLength: 64 });
  dir = await mkdtemp(path.join(os.tmpdir(), "coalesce-"));
  await writeStaticArtifact(dir, { params, labels: ["neg", "neu", "pos"], tokenizer, tokenizerConfig, maxLength: 64 });
  classifier = await loadClassifier(dir, { threads: 1 });
  sessionPrototype.run = function (this: ort.InferenceSession, ...args: Parameters<ort.InferenceSession["run"]>) {
    runs++;
    if (failNext && failNext.at === runs) {
      const { err } = failNext;
      failNext = null;
      return Promise.reject(err);
    }
    return originalRun.apply(this, args);
  } as ort.InferenceSession["run"];
});

after(async () => {
  sessionPrototype.run = originalRun;
  await classifier?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  runs = 0;
  failNext = null;
});

/** Each request scored on its own, through the plain classifier. */
async function alone(requests: string[][]): Promise<Float32Array[][]> {
  const out: Float32Array[][] = [];
  for (const texts of requests) out.push(await classifier.predict(texts));
  return out;
}

function assertClose(got: Float32Array[][], expected: Float32Array[][]): void {
  assert.equal(got.length, expected.length);
  got.forEach((rows, r) => {
    assert.equal(rows.length, expected[r].length, `request ${r}: its own number of rows`);
    rows.forEach((row, i) => row.forEach((v, c) => assert.ok(Math.abs(v - expected[r][i][c]) <= 1e-6, `request ${r} text ${i} class ${c}: ${v} vs ${expected[r][i][c]}`)));
  });
}

test("a call on an idle classifier runs at once; the calls that arrive meanwhile run together next, each caller with exactly its own rows", async () => {
  const expected = await alone(REQUESTS);
  assert.equal(runs, REQUESTS.length, "scored alone: one run per request");
  runs = 0;
  const coalesced = coalescePredictions(classifier, { waitMs: 60_000, maxTexts: 32 });
  const started = performance.now();
  const got = await Promise.all(REQUESTS.map((texts) => coalesced.predict(texts)));
  assert.ok(performance.now() - started < 5_000, "nothing waited for the 60 s bound");
  assert.equal(runs, 2, "the first request alone, at once; the four that arrived while it ran in one session.run");
  assertClose(got, expected);
  assert.deepEqual(coalesced.labels, classifier.labels);
  runs = 0;
  assertClose([await coalesced.predict(REQUESTS[0])], [expected[0]]);
  assert.equal(runs, 1, "a lone call later: one run, no wait");
});

test("the wait is a bound: a batch gathered behind a run that takes longer runs after waitMs", async () => {
  const slow = { ...classifier, predict: (texts: string[], b?: number) => new Promise<Float32Array[]>((r) => setTimeout(() => r(classifier.predict(texts, b)), 1000)) };
  const coalesced = coalescePredictions(slow, { waitMs: 30, maxTexts: 32 });
  const first = coalesced.predict(["alpha"]);
  await new Promise((r) => setTimeout(r, 5));
  const t0 = performance.now();
  const second = Promise.all([coalesced.predict(["beta"]), coalesced.predict(["gamma"])]).then(() => performance.now() - t0);
  const [, secondMs] = await Promise.all([first, second]);
  // it started at the 30 ms bound, not when the first run ended (≈ 995 ms later), and took its own 1,000 ms
  assert.ok(secondMs < 1600, `the gathered batch finished after ${secondMs.toFixed(0)} ms`);
});

test("a batch runs as soon as it holds maxTexts texts; a call with maxTexts or more runs alone at once", async () => {
  const expected = await alone([["alpha", "beta"], ["gamma", "delta"], ["eta", "theta"], ["kappa", "iota", "eta", "zeta"]]);
  runs = 0;
  const coalesced = coalescePredictions(classifier, { waitMs: 60_000, maxTexts: 4 });
  const started = performance.now();
  const busy = coalesced.predict(["alpha", "beta"]); // runs at once; the next two gather behind it
  const full = await Promise.all([coalesced.predict(["gamma", "delta"]), coalesced.predict(["eta", "theta"])]);
  const big = await coalesced.predict(["kappa", "iota", "eta", "zeta"]);
  assert.ok(performance.now() - started < 5_000, "nothing waited for the 60 s bound");
  assert.equal(runs, 3, "the first alone, the full batch [2 + 2], the call that fills a batch alone");
  assertClose([await busy, ...full, big], expected);

  // a call that would overflow the open batch closes it first and opens the next one
  runs = 0;
  const overflow = await Promise.all([coalesced.predict(["alpha"]), coalesced.predict(["alpha", "beta", "gamma"]), coalesced.predict(["delta", "kappa"]), coalesced.predict(["iota", "eta"])]);
  assert.equal(runs, 3, "[1] at once, then [3] (closed by the overflow), then [2 + 2]");
  assertClose(overflow, await alone([["alpha"], ["alpha", "beta", "gamma"], ["delta", "kappa"], ["iota", "eta"]]));
});

test("an error in a batch's run rejects every member with that error; the next batch works", async () => {
  const coalesced = coalescePredictions(classifier, { waitMs: 50, maxTexts: 32 });
  const boom = new Error("onnxruntime failed: out of memory");
  failNext = { at: 2, err: boom }; // the batch of the four calls behind the first
  const settled = await Promise.allSettled(REQUESTS.map((texts) => coalesced.predict(texts)));
  assert.equal(runs, 2);
  assert.equal(settled[0].status, "fulfilled");
  for (const s of settled.slice(1)) assert.deepEqual(s, { status: "rejected", reason: boom });

  runs = 0;
  const got = await Promise.all(REQUESTS.map((texts) => coalesced.predict(texts)));
  assert.equal(runs, 2);
  assertClose(got, await alone(REQUESTS));
});

test("waitMs 0: no coalescing, one session.run per call", async () => {
  const coalesced = coalescePredictions(classifier, { waitMs: 0, maxTexts: 32 });
  assert.equal(coalesced, classifier, "the classifier itself");
  const got = await Promise.all(REQUESTS.map((texts) => coalesced.predict(texts)));
  assert.equal(runs, REQUESTS.length);
  runs = 0;
  assertClose(got, await alone(REQUESTS));
});

test("bad options are refused with a clear error", () => {
  assert.throws(() => coalescePredictions(classifier, { waitMs: -1, maxTexts: 32 }), /waitMs must be ≥ 0 and maxTexts ≥ 1 \(got -1 and 32\)/);
  assert.throws(() => coalescePredictions(classifier, { waitMs: 2, maxTexts: 0 }), /got 2 and 0/);
});
