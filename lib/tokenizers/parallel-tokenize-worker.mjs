// Worker-thread entry of parallel-tokenize.ts. Each message is one chunk of texts:
// - "count": counts its words with the same countWords the main thread uses (lib/training/
//   tokenizer-builder.ts) and sends them back as two arrays (./word-counts.ts);
// - "encode": loads the folder's tokenizer with the same loadTokenizer the main thread uses (once
//   per folder), encodes each text with the same encodeOne, and transfers the ids back packed into
//   one buffer (./token-packer.ts packChunk).
// transformers.js is imported as soon as the thread starts (the slow part, overlapped with whatever
// the main thread does meanwhile, its share of the counting included).
//
// Plain .mjs on purpose: tsx (`tsx …` or `node --import tsx`) registers its loader in the main
// thread only, so a worker thread cannot start from a .ts file even though it inherits the
// parent's execArgv. This entry registers tsx for its own thread, then imports the TypeScript.
// transformers.js is imported first, by Node's own loader: loaded through tsx's it costs the
// thread about 0.13 GiB more memory (a pool thread: 0.19 against 0.06 GiB), and the TypeScript's
// import of it then finds it loaded (as in the worker process: lib/process/worker-command.ts).
import { parentPort } from "node:worker_threads";
import { register } from "tsx/esm/api";

await import("@huggingface/transformers");
register();
const { countWords } = await import("../training/tokenizer-builder.ts");
const { wordCounts } = await import("./word-counts.ts");
const { packChunk } = await import("./token-packer.ts");
const tokenizerModule = import("./tokenizer.ts");
tokenizerModule.catch(() => {}); // an encode message reports it

/** folder → its tokenizer (a promise, so chunks that arrive while it loads share one load) */
const tokenizers = new Map();

parentPort.on("message", async ({ op, call, chunk, dir, texts, maxLength, casing }) => {
  if (op === "count") {
    const { words, counts } = wordCounts(countWords(texts, casing));
    parentPort.postMessage({ call, chunk, words, counts }, [counts.buffer]);
    return;
  }
  const { encodeOne, loadTokenizer } = await tokenizerModule;
  if (!tokenizers.has(dir)) tokenizers.set(dir, loadTokenizer(dir));
  const tokenizer = await tokenizers.get(dir);
  const parts = new Array(texts.length);
  for (let i = 0; i < texts.length; i++) parts[i] = encodeOne(tokenizer, texts[i], maxLength);
  const { ids, offsets } = packChunk(parts);
  parentPort.postMessage({ call, chunk, ids, offsets }, [ids.buffer, offsets.buffer]);
});
