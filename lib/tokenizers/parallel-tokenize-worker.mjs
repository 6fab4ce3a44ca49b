// Worker-thread entry of parallel-tokenize.ts. Each message is one chunk of texts:
// - "count": counts its words with the same WordCounter the main thread uses (lib/training/
//   tokenizer-builder.ts) and sends them back as two arrays (./word-counts.ts);
// - "encode": loads the folder's tokenizer with the same loadIdEncoder the main thread uses (once
//   per folder), encodes each text with the same encodeOne, and transfers the ids back packed into
//   one buffer (./token-packer.ts packChunk).
// A folder whose tokenizer has the fast path (./fast-wordpiece.ts: every tokenizer the starter
// builds) is encoded without transformers.js, so the thread starts in about a tenth of a second;
// any other imports transformers.js on its first chunk, through tsx's loader (about 0.13 GiB more
// memory for the thread than Node's own loader would take).
//
// Plain .mjs on purpose: tsx (`tsx …` or `node --import tsx`) registers its loader in the main
// thread only, so a worker thread cannot start from a .ts file even though it inherits the
// parent's execArgv. This entry registers tsx for its own thread, then imports the TypeScript.
import { parentPort } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
const { WordCounter } = await import("../training/tokenizer-builder.ts");
const { packChunk } = await import("./token-packer.ts");
const { collectGarbageIfGrown } = await import("../process/collect-garbage.ts");
const tokenizerModule = import("./encode.ts");
tokenizerModule.catch(() => {}); // an encode message reports it

/** folder → its tokenizer (a promise, so chunks that arrive while it loads share one load) */
const tokenizers = new Map();

parentPort.on("message", async ({ op, call, chunk, dir, texts, maxLength, casing }) => {
  // This thread's heap is its own: the calling thread's collections between blocks do not reach it,
  // and a big table's chunks of texts would otherwise pile up here as garbage.
  collectGarbageIfGrown();
  if (op === "count") {
    const { words, counts } = new WordCounter(casing).add(texts).result();
    parentPort.postMessage({ call, chunk, words, counts }, [counts.buffer]);
    return;
  }
  const { encodeOne, loadIdEncoder } = await tokenizerModule;
  if (!tokenizers.has(dir)) tokenizers.set(dir, loadIdEncoder(dir));
  const tokenizer = await tokenizers.get(dir);
  const parts = new Array(texts.length);
  for (let i = 0; i < texts.length; i++) parts[i] = encodeOne(tokenizer, texts[i], maxLength);
  const { ids, offsets } = packChunk(parts);
  parentPort.postMessage({ call, chunk, ids, offsets }, [ids.buffer, offsets.buffer]);
});
