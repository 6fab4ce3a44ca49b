// Worker-thread entry of parallel-tokenize.ts: imports transformers.js as soon as it starts (the
// slow part, overlapped with whatever the main thread does meanwhile), loads a folder's tokenizer
// with the same loadTokenizer the main thread uses (once per folder), encodes each chunk of texts
// it is sent with the same encodeOne, and transfers the ids back packed into one buffer.
//
// Plain .mjs on purpose: tsx (`tsx …` or `node --import tsx`) registers its loader in the main
// thread only, so a worker thread cannot start from a .ts file even though it inherits the
// parent's execArgv. This entry registers tsx for its own thread, then imports the TypeScript.
import { parentPort } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
const { encodeOne, loadTokenizer } = await import("./tokenizer.ts");

/** folder → its tokenizer (a promise, so chunks that arrive while it loads share one load) */
const tokenizers = new Map();

parentPort.on("message", async ({ call, chunk, dir, texts, maxLength }) => {
  if (!tokenizers.has(dir)) tokenizers.set(dir, loadTokenizer(dir));
  const tokenizer = await tokenizers.get(dir);
  const parts = new Array(texts.length);
  const offsets = new Int32Array(texts.length + 1);
  for (let i = 0; i < texts.length; i++) {
    parts[i] = encodeOne(tokenizer, texts[i], maxLength);
    offsets[i + 1] = offsets[i] + parts[i].length;
  }
  const ids = new Int32Array(offsets[texts.length]);
  for (let i = 0; i < texts.length; i++) ids.set(parts[i], offsets[i]);
  parentPort.postMessage({ call, chunk, ids, offsets }, [ids.buffer, offsets.buffer]);
});
