// `npm run bench -- --only tokenize`: the starter's tokenising on one thread, the fast path
// (lib/tokenizers/fast-wordpiece.ts) against transformers.js on the same tokenizer and the same
// texts: every demo e-mail as the demo table holds it, truncated at the starter's 1,024 tokens.
// Prints texts/s for each and the speed-up, and checks that both gave the same ids.
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { BertTokenizer } from "@huggingface/transformers";
import { loadCorpus } from "../../lib/data/demo-table";
import { emailToText } from "../../lib/data/email-text";
import { encodeTexts, hasFastPath, loadTokenizer, type Tokenizer } from "../../lib/tokenizers/tokenizer";
import { buildTokenizer, countWords } from "../../lib/training/tokenizer-builder";
import { STARTER_DEFAULTS } from "../../lib/training/train-static";

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

export async function runTokenizeBench(o: { root: string; say: (line: string) => void }): Promise<void> {
  const texts: string[] = [];
  for (const e of loadCorpus()) texts.push((await emailToText(e.text)).text);
  const built = buildTokenizer(texts, { vocabSize: STARTER_DEFAULTS.vocabSize, maxLength: STARTER_DEFAULTS.maxLength });
  const dir = await mkdtemp(path.join(os.tmpdir(), "bench-tokenize-"));
  await writeFile(path.join(dir, "tokenizer.json"), JSON.stringify(built.tokenizer));
  await writeFile(path.join(dir, "tokenizer_config.json"), JSON.stringify(built.tokenizerConfig));
  const fast = await loadTokenizer(dir);
  if (!hasFastPath(fast)) throw new Error("the starter's tokenizer has no fast path");
  const slow: Tokenizer = new BertTokenizer(built.tokenizer, built.tokenizerConfig);
  const time = (tok: Tokenizer) => {
    const t0 = process.hrtime.bigint();
    const ids = encodeTexts(tok, texts, STARTER_DEFAULTS.maxLength);
    return { ids, s: seconds(t0) };
  };
  time(fast); // warm-up (JIT) for both
  time(slow);
  const a = time(fast);
  const b = time(slow);
  const same = a.ids.every((x, i) => x.length === b.ids[i].length && x.every((v, j) => v === b.ids[i][j]));
  let t0 = process.hrtime.bigint();
  countWords(texts);
  const countS = seconds(t0);
  const lines = [
    "| one thread, 5,911 demo e-mails, max 1,024 tokens | seconds | texts/s | ratio |",
    "| --- | ---: | ---: | ---: |",
    `| transformers.js (BertTokenizer.encode) | ${b.s.toFixed(2)} | ${(texts.length / b.s).toFixed(0)} | 1.00× |`,
    `| fast path (lib/tokenizers/fast-wordpiece.ts) | ${a.s.toFixed(2)} | ${(texts.length / a.s).toFixed(0)} | ${(b.s / a.s).toFixed(2)}× faster |`,
    `| counting the words for the vocabulary (countWords) | ${countS.toFixed(2)} | ${(texts.length / countS).toFixed(0)} | |`,
  ];
  o.say(`  tokenize: the same ids from both: ${same}`);
  process.stdout.write(["", "## bench: tokenising", "", ...lines, ""].join("\n") + "\n");
  await mkdir(path.join(o.root, "bench-results"), { recursive: true });
  await writeFile(path.join(o.root, "bench-results", "tokenize.json"), JSON.stringify({ at: new Date().toISOString(), texts: texts.length, fastS: a.s, transformersS: b.s, countS, same, table: lines.join("\n") }, null, 2) + "\n");
  if (!same) throw new Error("the fast path and transformers.js gave different ids");
}
