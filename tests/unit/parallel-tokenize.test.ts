import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { countWordsInBlocks, createTokenizePool, encodeTextsParallel, planChunks } from "../../lib/tokenizers/parallel-tokenize";
import { encodeTexts, loadTokenizer } from "../../lib/tokenizers/tokenizer";
import { buildTokenizer, countWords, tokenizerFromCounts } from "../../lib/training/tokenizer-builder";
import { sharedTokenBuffer } from "../../lib/training/token-rows";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const WORDS = [
  "the", "cat", "sat", "on", "mat", "free", "money", "click", "here", "now", "meeting", "tomorrow",
  "Café", "crème", "naïve", "ÜBER", "straße", "日本語", "テキスト", "😀", "$$$", "100%", "e-mail",
  "http://example.com/x?y=1", "re:", "FW:", "don't", "...", "!!!", "\t", "\n", "  ",
];

/** A few hundred varied texts: empty, whitespace, unicode, punctuation, short and very long. */
function corpus(n: number): string[] {
  let s = 12345;
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 97 === 0) out.push("");
    else if (i % 89 === 0) out.push(" \n\t ");
    else {
      const len = i % 23 === 0 ? 800 + Math.floor(rand() * 3000) : 1 + Math.floor(rand() * 60);
      const words: string[] = [];
      for (let k = 0; k < len; k++) words.push(WORDS[Math.floor(rand() * WORDS.length)] + (rand() < 0.1 ? String(k) : ""));
      out.push(words.join(rand() < 0.5 ? " " : "  "));
    }
  }
  return out;
}

async function savedTokenizer(texts: string[], maxLength: number): Promise<string> {
  const built = buildTokenizer(texts, { vocabSize: 300, maxLength });
  const dir = await mkdtemp(path.join(os.tmpdir(), "ptok-"));
  await writeFile(path.join(dir, "tokenizer.json"), JSON.stringify(built.tokenizer));
  await writeFile(path.join(dir, "tokenizer_config.json"), JSON.stringify(built.tokenizerConfig));
  return dir;
}

test("encodeTextsParallel: the same ids as encodeTexts, in order, with progress after each chunk", async () => {
  const texts = corpus(400);
  const maxLength = 128;
  const dir = await savedTokenizer(texts, maxLength);
  const expected = encodeTexts(await loadTokenizer(dir), texts, maxLength);
  const seen: number[] = [];
  for (const threads of [2, 3]) {
    seen.length = 0;
    const got = await encodeTextsParallel(dir, texts, maxLength, { threads, minTexts: 0, onProgress: (done) => void seen.push(done) });
    assert.equal(got.length, texts.length);
    for (let i = 0; i < texts.length; i++) {
      assert.ok(got[i] instanceof Int32Array, `text ${i}`);
      assert.deepEqual([...got[i]], [...expected[i]], `text ${i}`);
    }
    const shared = sharedTokenBuffer(got);
    assert.ok(shared, "every row is a view of one shared buffer, in order");
    assert.equal(shared.offsets[0], 0);
    assert.ok(seen.length > threads, `progress reported per chunk (${seen.length})`);
    assert.deepEqual(seen, [...seen].sort((a, b) => a - b));
    assert.equal(seen.at(-1), texts.length);
  }
  // Reordered input, reordered output: ids belong to their text, not to a position.
  const reversed = [...texts].reverse();
  const got = await encodeTextsParallel(dir, reversed, maxLength, { threads: 2, minTexts: 0 });
  for (let i = 0; i < texts.length; i++) assert.deepEqual([...got[i]], [...expected[texts.length - 1 - i]]);
  // consume: the same ids, and the array is emptied (texts sent to workers and texts encoded here alike)
  const consumed = [...texts];
  const eaten = await encodeTextsParallel(dir, consumed, maxLength, { threads: 2, minTexts: 0, consume: true });
  assert.deepEqual(eaten.map((a) => [...a]), expected.map((a) => [...a]));
  assert.ok(consumed.every((t) => t === ""));
  // Few texts (or one thread): encoded in this thread, same ids.
  const few = await encodeTextsParallel(dir, texts.slice(0, 20), maxLength);
  assert.deepEqual(few.map((a) => [...a]), expected.slice(0, 20).map((a) => [...a]));
  const one = await encodeTextsParallel(dir, texts, maxLength, { threads: 1, minTexts: 0 });
  assert.deepEqual(one.map((a) => [...a]), expected.map((a) => [...a]));
});

test("a pool started before the folder exists encodes it, and again after a cancelled call", async () => {
  const texts = corpus(350);
  const pool = createTokenizePool({ threads: 3 });
  try {
    assert.equal(pool.workers, 2);
    const dir = await savedTokenizer(texts, 32);
    const expected = encodeTexts(await loadTokenizer(dir), texts, 32).map((a) => [...a]);
    await assert.rejects(
      pool.encode(dir, texts, 32, { minTexts: 0, onProgress: () => { throw new Error("cancelled here"); } }),
      /cancelled here/,
    );
    const got = await pool.encode(dir, texts, 32, { minTexts: 0 });
    assert.deepEqual(got.map((a) => [...a]), expected);
    assert.deepEqual(await pool.encode(dir, [], 32), []);
  } finally {
    await pool.close();
  }
  await assert.rejects(pool.encode("/nowhere", ["x"], 8), /closed/);
});

test("pool.encodeBlocks and countWordsInBlocks: texts read a block at a time give encode's ids (one shared buffer) and countWords' map", async () => {
  const texts = [...tiedCorpus(700), ...corpus(400)];
  const maxLength = 64;
  const dir = await savedTokenizer(texts, maxLength);
  const expected = encodeTexts(await loadTokenizer(dir), texts, maxLength).map((a) => [...a]);
  const pool = createTokenizePool({ threads: 3 });
  try {
    for (const blockTexts of [1, 7, 250, 1100, 5000]) {
      const asked: [number, number][] = [];
      const seen: number[] = [];
      const got = await pool.encodeBlocks(dir, texts.length, async (from, to) => (asked.push([from, to]), texts.slice(from, to)), maxLength, {
        minTexts: 0,
        blockTexts,
        consume: true,
        onProgress: (done, total) => void seen.push(done, total),
      });
      assert.deepEqual(got.map((a) => [...a]), expected, `blocks of ${blockTexts}`);
      assert.ok(sharedTokenBuffer(got), "one shared buffer, rows in order");
      assert.equal(asked.length, Math.ceil(texts.length / blockTexts));
      assert.ok(asked.every(([f, t], i) => f === i * blockTexts && t === Math.min(texts.length, f + blockTexts)));
      const dones = seen.filter((_, i) => i % 2 === 0);
      assert.deepEqual(dones, [...dones].sort((a, b) => a - b));
      assert.equal(dones.at(-1), texts.length);
      assert.ok(seen.filter((_, i) => i % 2 === 1).every((t) => t === texts.length));
      const casing = { lowercase: blockTexts % 2 === 0, stripAccents: false };
      const counted = await countWordsInBlocks(pool, texts.length, (from, to) => texts.slice(from, to), casing, blockTexts);
      assert.deepEqual([...counted], [...countWords(texts, casing)], `counts in blocks of ${blockTexts}`);
    }
    assert.deepEqual(await pool.encodeBlocks(dir, 0, () => [], maxLength), []);
    assert.deepEqual([...(await countWordsInBlocks(pool, 0, () => []))], []);
    await assert.rejects(pool.encodeBlocks(dir, 10, () => ["one"], maxLength), /got 1 texts/);
    // the pool still works after a failed call
    assert.deepEqual((await pool.encode(dir, texts.slice(0, 30), maxLength)).map((a) => [...a]), expected.slice(0, 30));
  } finally {
    await pool.close();
  }
});

test("a folder the workers cannot load fails the call instead of hanging", async () => {
  const pool = createTokenizePool({ threads: 2 });
  try {
    await assert.rejects(pool.encode(path.join(os.tmpdir(), "no-such-tokenizer-folder"), corpus(50), 16, { minTexts: 0 }), /ENOENT/);
  } finally {
    await pool.close();
  }
});

/** Texts with many tied counts, accents and mixed casing: words from a small pool, each text a different mix. */
function tiedCorpus(n: number): string[] {
  const pool = ["Café", "café", "CAFÉ", "cafe", "naïve", "Naive", "Straße", "STRASSE", "élan", "Élan", "über", "Über", "zz", "ZZ", "a", "b", "c", "d", "日本", "😀", "x-y", "don't"];
  let s = 7;
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const words: string[] = [];
    // text i holds word (i mod |pool|) twice and a few random ones: counts end up tied in groups
    words.push(pool[i % pool.length], pool[i % pool.length]);
    for (let k = Math.floor(rand() * 4); k > 0; k--) words.push(pool[Math.floor(rand() * pool.length)] + (rand() < 0.2 ? String(i % 7) : ""));
    out.push(words.join(" "));
  }
  return out;
}

test("pool.countWords: exactly countWords' map (counts and order) and so the same vocabulary, for every casing", async () => {
  const texts = [...tiedCorpus(3000), ...corpus(400)];
  const pool = createTokenizePool({ threads: 3 });
  try {
    for (const casing of [{ lowercase: true, stripAccents: false }, { lowercase: false, stripAccents: false }, { lowercase: true, stripAccents: true }]) {
      const one = countWords(texts, casing);
      const many = await pool.countWords(texts, casing, { minTexts: 0 });
      assert.deepEqual([...many], [...one], `casing ${JSON.stringify(casing)}`);
      const opts = { ...casing, vocabSize: 60, minCount: 2 };
      assert.deepEqual(tokenizerFromCounts(many, opts).vocab, buildTokenizer(texts, opts).vocab);
    }
    // few texts: counted in this thread
    assert.deepEqual([...(await pool.countWords(texts.slice(0, 50)))], [...countWords(texts.slice(0, 50))]);
    assert.deepEqual([...(await pool.countWords([], undefined, { minTexts: 0 }))], []);
  } finally {
    await pool.close();
  }
});

test("planChunks: contiguous ranges covering every text once", () => {
  const texts = corpus(300);
  for (const count of [1, 2, 7, 16, 1000]) {
    const ranges = planChunks(texts, 128, count);
    assert.equal(ranges[0][0], 0);
    assert.equal(ranges.at(-1)![1], texts.length);
    for (let i = 1; i < ranges.length; i++) assert.equal(ranges[i][0], ranges[i - 1][1]);
    for (const [a, b] of ranges) assert.ok(b > a);
    assert.ok(ranges.length <= Math.max(count, 1) + 1);
  }
  assert.deepEqual(planChunks([], 128, 4), []);
});

/** Runs the ES module `file` in a fresh `node --import tsx` process; resolves with its exit code and output. */
function runChild(file: string, timeoutMs: number): Promise<{ code: number | null; out: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", file], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("exit", (c) => {
      clearTimeout(timer);
      resolve({ code: c, out, timedOut });
    });
  });
}

test("the threads are gone afterwards: a process that encoded (or was cancelled) exits by itself", async () => {
  const texts = corpus(300);
  const dir = await savedTokenizer(texts, 64);
  const textsFile = path.join(dir, "texts.json");
  await writeFile(textsFile, JSON.stringify(texts));
  const mod = JSON.stringify(pathToFileURL(path.join(root, "lib/tokenizers/parallel-tokenize.ts")).href);
  const code = `
    import { readFileSync } from "node:fs";
    const { encodeTextsParallel } = await import(${mod});
    const texts = JSON.parse(readFileSync(${JSON.stringify(textsFile)}, "utf8"));
    const ids = await encodeTextsParallel(${JSON.stringify(dir)}, texts, 64, { threads: 2, minTexts: 0 });
    console.log("encoded", ids.length);
    let calls = 0;
    await encodeTextsParallel(${JSON.stringify(dir)}, texts, 64, { threads: 2, minTexts: 0, onProgress: () => { if (++calls === 2) throw new Error("stop"); } })
      .then(() => console.log("not cancelled"), (err) => console.log("cancelled:", err.message));
    // No process.exit: the process ends only if no worker thread is left.
  `;
  const script = path.join(dir, "child.mjs");
  await writeFile(script, code);
  const r = await runChild(script, 60_000);
  assert.equal(r.timedOut, false, `the process did not exit by itself:\n${r.out}`);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /encoded 300/);
  assert.match(r.out, /cancelled: stop/);
});
