import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { BertTokenizer, PreTrainedTokenizer } from "@huggingface/transformers";
import { fastWordPiece } from "../../lib/tokenizers/fast-wordpiece";
import { encodeTexts, hasFastPath, loadIdEncoder, loadTokenizer } from "../../lib/tokenizers/tokenizer";
import { buildTokenizer } from "../../lib/training/tokenizer-builder";
import { mulberry32 } from "../../lib/training/rng";
import { loadCorpus } from "../../lib/data/demo-table";

// The fast path gives exactly transformers.js's ids: over the demo e-mails and over random
// Unicode (controls, accents, CJK, emoji, punctuation, the special tokens' text, very long words),
// for the casings the starter's tokenizers use.

/** transformers.js's own ids for a tokenizer.json (no fast path involved). */
function reference(json: object, config: object) {
  const tok = new BertTokenizer(json, config);
  return (text: string) => tok.encode(text, { add_special_tokens: false });
}

const ALPHABET = [
  ..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
  ..."  \t\n\r.,;:!?'\"()[]{}<>-_/\\@#$%^&*+=~`|",
  ..."éèêëàâäîïôöùûüçñßæøåÉÀÇÑ", "e\u0301", "a\u0308",
  ..."中文字符日本語한국어", "😀", "👍🏽", "\u0000", "\u200b", "\ufeff", "\u00a0", "\u2028", "\ud800", "ﬁ", "Ⅻ", "ǅ",
  "[CLS]", "[SEP]", "[UNK]", "[MASK]", "[PAD]", "[cls]", "##", "#",
];

function randomText(rng: () => number): string {
  const n = Math.floor(rng() * 80);
  let s = "";
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(rng() * ALPHABET.length)];
  if (rng() < 0.1) s += " " + "x".repeat(40 + Math.floor(rng() * 30)); // around max_input_chars_per_word
  return s;
}

// every fourth raw e-mail of the demo corpus (headers, HTML, base64 and all: harder than the table's texts)
const demo = loadCorpus().filter((_, i) => i % 4 === 0).map((e) => e.text);

for (const casing of [{}, { stripAccents: true }, { lowercase: false }]) {
  test(`the same ids as transformers.js (${JSON.stringify(casing)}): demo e-mails and random Unicode`, () => {
    const built = buildTokenizer([...demo.slice(0, 1000), "café Café ÇA 中文"], { ...casing, maxLength: 1024 });
    const fast = fastWordPiece(built.tokenizer);
    assert.ok(fast, "the starter's tokenizer has a fast path");
    const ref = reference(built.tokenizer, built.tokenizerConfig);
    const rng = mulberry32(7);
    const texts = [...demo, ...Array.from({ length: 3000 }, () => randomText(rng)), "", " ", "[CLS][SEP]", "a[MASK]b", "x".repeat(51), "é".repeat(50)];
    let differing = 0;
    for (const text of texts) {
      const a = fast!.encode(text);
      const b = ref(text);
      if (a.length !== b.length || a.some((x, i) => x !== b[i])) {
        differing++;
        if (differing <= 3) assert.deepEqual(a, b, `text ${JSON.stringify(text.slice(0, 200))}`);
      }
    }
    assert.equal(differing, 0);
  });
}

test("the same ids as transformers.js with longer sub-word pieces (a general WordPiece vocabulary), also for words met again", () => {
  const built = buildTokenizer(demo.slice(0, 1000), { maxLength: 1024, vocabSize: 3000 });
  const json = structuredClone(built.tokenizer) as { model: { vocab: Record<string, number> } };
  const vocab = json.model.vocab;
  let next = Object.keys(vocab).length;
  for (const piece of ["##ing", "##ed", "##tion", "##ization", "##s", "##ly", "##er", "un", "re", "inter", "##nation", "##al", "##ity", "##ab", "##abl", "##able"]) {
    if (!(piece in vocab)) vocab[piece] = next++;
  }
  const fast = fastWordPiece(json);
  assert.ok(fast);
  const ref = reference(json, built.tokenizerConfig);
  const rng = mulberry32(11);
  const texts = [...demo.slice(0, 800), ...Array.from({ length: 1000 }, () => randomText(rng)), "internationalization unbelievable reinterpretations"];
  for (const round of [1, 2]) {
    for (const text of texts) assert.deepEqual(fast!.encode(text), ref(text), `round ${round}, text ${JSON.stringify(text.slice(0, 200))}`);
  }
});

test("loadTokenizer uses the fast path for the starter's tokenizers only, and truncation matches", async () => {
  const built = buildTokenizer(demo.slice(0, 500));
  const dir = await mkdtemp(path.join(os.tmpdir(), "fast-wp-"));
  await writeFile(path.join(dir, "tokenizer.json"), JSON.stringify(built.tokenizer));
  await writeFile(path.join(dir, "tokenizer_config.json"), JSON.stringify(built.tokenizerConfig));
  const tok = await loadTokenizer(dir);
  assert.ok(hasFastPath(tok));
  const ref = reference(built.tokenizer, built.tokenizerConfig);
  for (const max of [1, 7, 64, 1024]) {
    const got = encodeTexts(tok, demo.slice(0, 200), max);
    got.forEach((ids, i) => assert.deepEqual([...ids], ref(demo[i]).slice(0, max)));
  }
  // a tokenizer with a post-processor (an encoder's) keeps transformers.js's path
  const withPost = { ...(built.tokenizer as object), post_processor: { type: "TemplateProcessing" } };
  assert.equal(fastWordPiece(withPost), null);
  assert.equal(fastWordPiece({ ...(built.tokenizer as object), pre_tokenizer: { type: "Whitespace" } }), null);
});

test("loadIdEncoder: a starter folder's fast path alone (no transformers.js tokenizer), any other folder's loaded tokenizer; the same ids as loadTokenizer", async () => {
  const built = buildTokenizer(demo.slice(0, 500));
  const folder = async (json: object) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "id-encoder-"));
    await writeFile(path.join(dir, "tokenizer.json"), JSON.stringify(json));
    await writeFile(path.join(dir, "tokenizer_config.json"), JSON.stringify(built.tokenizerConfig));
    return dir;
  };
  const starter = await folder(built.tokenizer as object);
  const bare = await loadIdEncoder(starter);
  assert.ok(!(bare instanceof PreTrainedTokenizer), "the fast path alone");
  assert.ok(hasFastPath(bare));
  const loaded = await loadTokenizer(starter);
  for (const max of [1, 64, 1024]) assert.deepEqual(encodeTexts(bare, demo.slice(0, 200), max), encodeTexts(loaded, demo.slice(0, 200), max));

  const other = await folder({ ...(built.tokenizer as object), pre_tokenizer: { type: "Whitespace" } });
  const general = await loadIdEncoder(other);
  assert.ok(general instanceof PreTrainedTokenizer, "no fast path: the tokenizer itself");
  assert.ok(!hasFastPath(general));
  assert.deepEqual(encodeTexts(general, demo.slice(0, 50), 64), encodeTexts(await loadTokenizer(other), demo.slice(0, 50), 64));
});
