import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { buildTokenizer, bertNormalize, bertPreTokenize, casingOf, countWords, extendVocab, tokenizerFromCounts, tokenizerJson, vocabOf } from "../../lib/training/tokenizer-builder";
import { encodeTexts, encodeTextsAsync, loadTokenizer } from "../../lib/tokenizers/tokenizer";

const corpus = [
  "The cat sat on the mat.",
  "The dog sat on the log!",
  "A cat and a dog, friends.",
  "Café crème is served at the café.",
  "Zebra", // seen once: not a whole word with minCount 2
];

async function saved(texts: string[], opts = {}) {
  const built = buildTokenizer(texts, opts);
  const dir = await mkdtemp(path.join(os.tmpdir(), "tok-"));
  await writeFile(path.join(dir, "tokenizer.json"), JSON.stringify(built.tokenizer));
  await writeFile(path.join(dir, "tokenizer_config.json"), JSON.stringify(built.tokenizerConfig));
  return { built, tok: await loadTokenizer(dir) };
}

test("special tokens first, frequent words in the vocab, rare ones not", () => {
  const { vocab, tokenizerConfig } = buildTokenizer(corpus);
  assert.deepEqual(vocab.slice(0, 5), ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]);
  for (const w of ["the", "cat", "sat", "on", "dog", "café", "."]) assert.ok(vocab.includes(w), w);
  assert.ok(!vocab.includes("zebra"));
  assert.ok(vocab.includes("z") && vocab.includes("##e"));
  assert.equal((tokenizerConfig as { model_max_length: number }).model_max_length, 1024);
  assert.equal((tokenizerConfig as { tokenizer_class: string }).tokenizer_class, "BertTokenizer");
});

test("transformers.js loads it: known words → their ids, unknown → pieces, lowercased, accents kept", async () => {
  const { built, tok } = await saved(corpus);
  const id = (t: string) => built.vocab.indexOf(t);
  assert.equal(tok.constructor.name, "BertTokenizer");
  const [ids] = encodeTexts(tok, ["THE Cat sat on the DOG."], 100);
  assert.deepEqual([...ids], ["the", "cat", "sat", "on", "the", "dog", "."].map(id));
  // "mat" was seen once: characters
  const [m] = encodeTexts(tok, ["mat"], 100);
  assert.deepEqual([...m], ["m", "##a", "##t"].map(id));
  // "zebra" was seen once: it falls back to pieces z ##e ##b ##r ##a
  const [z] = encodeTexts(tok, ["Zebra"], 100);
  assert.deepEqual([...z], ["z", "##e", "##b", "##r", "##a"].map(id));
  assert.ok([...z].every((i) => i >= 5));
  // accents kept: "CAFÉ" → "café"
  const [c] = encodeTexts(tok, ["CAFÉ"], 100);
  assert.deepEqual([...c], [id("café")]);
  // a character never seen → [UNK] = 1; empty text → no ids
  const [q, empty] = encodeTexts(tok, ["cat ☃", ""], 100);
  assert.deepEqual([...q], [id("cat"), 1]);
  assert.equal(empty.length, 0);
  // truncation
  const [cut] = encodeTexts(tok, ["the cat sat on the mat"], 3);
  assert.deepEqual([...cut], ["the", "cat", "sat"].map(id));
});

test("casing: stripped accents (bert-base-uncased), kept, and read back from the file", async () => {
  const { built, tok } = await saved(corpus, { stripAccents: true });
  assert.ok(built.vocab.includes("cafe") && !built.vocab.includes("café"));
  assert.deepEqual([...encodeTexts(tok, ["CAFÉ Café"], 100)[0]], ["cafe", "cafe"].map((t) => built.vocab.indexOf(t)));
  assert.deepEqual(vocabOf(built.tokenizer).casing, { lowercase: true, stripAccents: true });
  assert.deepEqual(vocabOf(buildTokenizer(corpus).tokenizer).casing, { lowercase: true, stripAccents: false });
  // a file written before accents were kept (strip_accents null) strips them, as tokenizers.js does
  const old = buildTokenizer(corpus, { stripAccents: true }).tokenizer as { normalizer: { strip_accents: unknown } };
  old.normalizer.strip_accents = null;
  assert.deepEqual(vocabOf(old).casing, { lowercase: true, stripAccents: true });
});

test("our pre-tokeniser agrees with the loaded tokenizer word for word", async () => {
  const texts = [
    "Hello,   World!\tTabs\nand\r\nnewlines; émigré naïve — dashes… “quotes” (parens) x=1+2 user@example.com http://a.b/c?d=e",
    "中文字符 mixed with ASCII, and ＦＵＬＬＷＩＤＴＨ\u0000nul\u200bzero-width",
  ];
  // minCount 1: every word becomes a vocabulary entry, so each word maps to exactly one id
  const { built, tok } = await saved(texts, { minCount: 1 });
  const ids = encodeTexts(tok, texts, 10_000);
  texts.forEach((t, i) => {
    const words = bertPreTokenize(bertNormalize(t));
    assert.deepEqual([...ids[i]], words.map((w) => built.vocab.indexOf(w)));
  });
});

test("long texts: the prefix shortcut gives the same ids as tokenising everything", async () => {
  const { tok } = await saved(corpus);
  const long = Array.from({ length: 3000 }, (_, i) => corpus[i % corpus.length]).join(" \n ");
  const [full] = encodeTexts(tok, [long], 1_000_000);
  for (const m of [1, 7, 100, 2500]) {
    const [cut] = encodeTexts(tok, [long], m);
    assert.deepEqual([...cut], [...full.subarray(0, m)]);
  }
});

test("vocabSize caps the vocabulary and ordering is deterministic", () => {
  const a = buildTokenizer(corpus, { vocabSize: 40 });
  const b = buildTokenizer([...corpus].reverse(), { vocabSize: 40 });
  assert.equal(a.vocab.length, 40);
  assert.deepEqual(a.vocab, b.vocab);
  assert.equal(JSON.stringify(a.tokenizer), JSON.stringify(b.tokenizer));
});

test("encodeTextsAsync gives the same ids as encodeTexts and reports progress", async () => {
  const { tok } = await saved(corpus);
  const texts = Array.from({ length: 500 }, (_, i) => corpus[i % corpus.length].repeat(1 + (i % 7)));
  let last = 0;
  const a = await encodeTextsAsync(tok, texts, 20, { yieldEveryMs: 0, onProgress: (done) => void (last = done) });
  assert.deepEqual(a, encodeTexts(tok, texts, 20));
  assert.equal(last, 500);
});

test("AutoTokenizer.from_pretrained loads the built folder offline and agrees with loadTokenizer", async () => {
  const { AutoTokenizer, env } = await import("@huggingface/transformers");
  const built = buildTokenizer(corpus);
  const root = await mkdtemp(path.join(os.tmpdir(), "auto-tok-"));
  const dir = path.join(root, "built");
  await mkdir(dir);
  await writeFile(path.join(dir, "tokenizer.json"), JSON.stringify(built.tokenizer));
  await writeFile(path.join(dir, "tokenizer_config.json"), JSON.stringify(built.tokenizerConfig));
  env.allowRemoteModels = false;
  env.localModelPath = root + path.sep;
  const auto = await AutoTokenizer.from_pretrained("built", { local_files_only: true });
  const ours = await loadTokenizer(dir);
  const text = "The cat and the Zebra sat on the café mat!";
  const autoIds = auto.encode(text, { add_special_tokens: false });
  assert.deepEqual(autoIds, [...encodeTexts(ours, [text], 100)[0]]);
  assert.ok(autoIds.includes(built.vocab.indexOf("cat")));
});

test("extendVocab keeps every old id and appends new characters, then new frequent words", () => {
  const first = buildTokenizer(["the cat sat", "the cat ran"], { minCount: 1 });
  const grown = extendVocab(first.vocab, countWords(["the zebra grazed", "a zebra ran", "zebra"]), 1000, 2);
  assert.deepEqual(grown.slice(0, first.vocab.length), first.vocab);
  assert.ok(grown.includes("zebra"), "a word seen 3 times joins");
  assert.ok(!grown.includes("grazed"), "a word seen once does not");
  assert.ok(grown.indexOf("z") >= first.vocab.length, "new characters are appended");
  assert.deepEqual(extendVocab(first.vocab, countWords(["the zebra", "zebra"]), first.vocab.length, 1), first.vocab, "vocabSize caps growth");
  assert.deepEqual(vocabOf(tokenizerJson(grown)).vocab, grown);
});

test("countWords adds to a map in first-seen order; tokenizerFromCounts on those counts is buildTokenizer", () => {
  const texts = ["b a B", "Café a c", "c b CAFÉ d", "d d e"];
  const whole = countWords(texts);
  const inTwo = countWords(texts.slice(2), undefined, countWords(texts.slice(0, 2)));
  assert.deepEqual([...inTwo], [...whole]);
  assert.deepEqual([...whole.keys()], ["b", "a", "café", "c", "d", "e"]);
  for (const opts of [{ minCount: 1 }, { minCount: 1, lowercase: false }, { minCount: 2, stripAccents: true, vocabSize: 12 }]) {
    assert.deepEqual(tokenizerFromCounts(countWords(texts, casingOf(opts)), opts), buildTokenizer(texts, opts));
  }
});

test("ASCII text takes the ASCII regexes, with exactly the Unicode ones' result", () => {
  // the Unicode path as it stands for any text (tokenizer-builder.ts)
  const PUNCT = "\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E";
  const words = (t: string) => t.trim().match(new RegExp(`[^\\s${PUNCT}]+|[${PUNCT}]`, "gu")) ?? [];
  const normalize = (t: string, c: { lowercase: boolean; stripAccents: boolean }) => {
    const cleaned = t.replace(/(?![\t\n\r])[\0\ufffd\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu, "").replace(/\s/g, " ").replace(/[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]/g, " $& ");
    const cased = c.lowercase ? cleaned.toLowerCase() : cleaned;
    return c.stripAccents ? cased.normalize("NFD").replace(/\p{Mn}/gu, "") : cased;
  };
  let seed = 5;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const texts = ["", "   ", "Hello, World! it's 9:30 -- e-mail@example.com [x] {y} ~z~ `q` a_b", "\x00\x01\x7f\t\n\r\v\f end"];
  for (let i = 0; i < 3000; i++) texts.push(Array.from({ length: Math.floor(rnd() * 60) }, () => String.fromCharCode(rnd() < 0.7 ? 32 + Math.floor(rnd() * 95) : Math.floor(rnd() * 128))).join(""));
  for (const c of [{ lowercase: true, stripAccents: false }, { lowercase: true, stripAccents: true }, { lowercase: false, stripAccents: false }]) {
    for (const t of texts) {
      assert.equal(bertNormalize(t, c), normalize(t, c), JSON.stringify(t));
      assert.deepEqual(bertPreTokenize(t), words(t), JSON.stringify(t));
      assert.deepEqual(bertPreTokenize(bertNormalize(t, c)), words(normalize(t, c)), JSON.stringify(t));
    }
  }
});
