// A frozen transformer encoder (a folder in the transformers.js layout) → pooled features per text.
//
//   tokenise   the folder's tokenizer, special tokens added ([CLS] … [SEP] for BERT), truncated to
//              max_length as transformers.js truncates (see tokenizeForBatches)
//   batch      sort by token count, then greedy batches under a token budget (rows × longest ≤
//              maxBatchTokens): each batch is padded only to its own longest text
//   run        onnxruntime-node, intra-op threads = the machine's cores, graph optimisation "all";
//              onnx/model_quantized.onnx when asked for
//   pool       from last_hidden_state [B, T, H], in JS: mean over the attention mask (as
//              sentence-transformers: Σ mask·h / max(Σ mask, 1e-9)) or the first token ("cls")
//   restore    features come back in the input order
//
// onnxruntime-node's run() blocks the thread that calls it for the batch's duration (measured: no
// timer fires during a run), so the loop yields to the event loop between batches; with the default
// budget a batch takes well under a second on a BERT-base-sized model.
//
// tokenizeForBatches / makeBatches (and lib/onnx/feeds.ts buildFeeds) are exported so a benchmark can time a bare
// `session.run` loop over exactly the batches encode() runs.
import { readFile, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { buildFeeds } from "../onnx/feeds";
import { currentDevice, executionProviders, type Device } from "../onnx/device";
import { encodeOne, loadTokenizer, type Tokenizer } from "../tokenizers/tokenizer";
import { throwIfCancelled } from "../errors";

export type Pooling = "mean" | "cls";

/** Default token budget per batch: 16 rows of 512, 64 of 128; bounds attention memory (B·heads·T² floats). */
export const DEFAULT_MAX_BATCH_TOKENS = 8192;
/** Rows per batch at most, however short the texts. */
export const DEFAULT_MAX_BATCH_ROWS = 256;

export interface EncodeOptions {
  pooling: Pooling;
  maxLength: number;
  maxBatchTokens?: number;
  maxBatchRows?: number;
  /** After every batch: rows done, rows in all, rows per second so far (tokenisation included). */
  onProgress?(done: number, total: number, rowsPerSecond: number): void | Promise<void>;
  /** Checked before every batch; fired → CancelledError. */
  signal?: AbortSignal;
}

export interface Encoder {
  dir: string;
  quantized: boolean;
  threads: number;
  hiddenSize: number;
  inputNames: readonly string[];
  /** The graph output that is pooled ("last_hidden_state"). */
  outputName: string;
  session: ort.InferenceSession;
  tokenizer: Tokenizer;
  /** Token ids per text with special tokens, truncated to maxLength (yields to the event loop). */
  tokenize(texts: string[], maxLength: number): Promise<Int32Array[]>;
  encode(texts: string[], o: EncodeOptions): Promise<Float32Array[]>;
  /** encode() from ids that tokenize() returned. */
  encodeIds(ids: Int32Array[], o: EncodeOptions): Promise<Float32Array[]>;
  close(): Promise<void>;
}

export interface LoadEncoderOptions {
  quantized?: boolean;
  /** onnxruntime intra-op threads (default: os.availableParallelism()). */
  threads?: number;
  /** where the session runs (default: this process's device, ../onnx/device.ts) */
  device?: Device;
}

// --- tokenisation -------------------------------------------------------------------------------

/** The ids a tokenizer puts before and after a single text's own tokens (e.g. [CLS] / [SEP]). */
export interface SpecialWrap {
  prefix: number[];
  suffix: number[];
}

/**
 * Finds the special-token template by encoding a probe with and without special tokens; null when
 * the text's tokens are not a contiguous run inside the special-token encoding (then each text is
 * tokenised whole by the tokenizer itself).
 */
export function specialWrap(tok: Tokenizer): SpecialWrap | null {
  const probe = "hello world";
  const plain = tok.encode(probe, { add_special_tokens: false });
  const full = tok.encode(probe, { add_special_tokens: true });
  for (let s = 0; s + plain.length <= full.length; s++) {
    let ok = true;
    for (let i = 0; i < plain.length && ok; i++) ok = full[s + i] === plain[i];
    if (ok) return { prefix: full.slice(0, s), suffix: full.slice(s + plain.length) };
  }
  return null;
}

/**
 * Ids per text: special tokens added, then cut to maxLength exactly as transformers.js's
 * `tokenizer(text, { truncation: true, max_length })` cuts them — after the specials are added, so a
 * text longer than maxLength keeps [CLS] but loses its final [SEP]. (Python's tokenizers keep the
 * [SEP]; we follow transformers.js because an exported version is served by its pipeline, which
 * must give the product's own scores.) Long texts are tokenised by prefix (encodeOne), so a 1 MB e-mail costs what
 * its first maxLength tokens cost. Yields to the event loop about every 50 ms.
 */
export async function tokenizeForBatches(
  tok: Tokenizer,
  texts: string[],
  maxLength: number,
  opts: { wrap?: SpecialWrap | null; onProgress?(done: number, total: number): void | Promise<void> } = {},
): Promise<Int32Array[]> {
  if (!(Number.isInteger(maxLength) && maxLength >= 1)) throw new RangeError(`maxLength must be a positive integer, got ${maxLength}`);
  const wrap = opts.wrap === undefined ? specialWrap(tok) : opts.wrap;
  const out: Int32Array[] = new Array(texts.length);
  let last = performance.now();
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i] ?? "";
    if (wrap) {
      const body = encodeOne(tok, text, Math.max(0, maxLength - wrap.prefix.length));
      const n = Math.min(maxLength, wrap.prefix.length + body.length + wrap.suffix.length);
      const ids = new Int32Array(wrap.prefix.length + body.length + wrap.suffix.length);
      ids.set(wrap.prefix);
      ids.set(body, wrap.prefix.length);
      ids.set(wrap.suffix, wrap.prefix.length + body.length);
      out[i] = n < ids.length ? ids.slice(0, n) : ids;
    } else {
      const ids = tok.encode(text, { add_special_tokens: true });
      out[i] = Int32Array.from(ids.length > maxLength ? ids.slice(0, maxLength) : ids);
    }
    if (performance.now() - last >= 50) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      await opts.onProgress?.(i + 1, texts.length);
      last = performance.now();
    }
  }
  return out;
}

// --- batching -----------------------------------------------------------------------------------

/**
 * Row indices grouped into batches: rows sorted by length (ties by index), then cut greedily so
 * that rows × (longest row in the batch) ≤ maxBatchTokens and rows ≤ maxBatchRows (a single row
 * longer than the budget is a batch of its own). Every index appears exactly once.
 */
export function makeBatches(
  lengths: ArrayLike<number>,
  maxBatchTokens = DEFAULT_MAX_BATCH_TOKENS,
  maxBatchRows = DEFAULT_MAX_BATCH_ROWS,
): Int32Array[] {
  const n = lengths.length;
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => lengths[a] - lengths[b] || a - b);
  const batches: Int32Array[] = [];
  let start = 0;
  while (start < n) {
    let end = start + 1;
    // ascending order: the batch's longest row is its last
    while (end < n && end - start < maxBatchRows && (end - start + 1) * Math.max(1, lengths[order[end]]) <= maxBatchTokens) end++;
    batches.push(order.slice(start, end));
    start = end;
  }
  return batches;
}

/** Pooled vector of row b of last_hidden_state [B, T, H] (mask: [B, T], 1 on tokens). */
export function poolRow(hidden: Float32Array, mask: Uint8Array, b: number, T: number, H: number, pooling: Pooling): Float32Array {
  const out = new Float32Array(H);
  const base = b * T * H;
  if (pooling === "cls") {
    out.set(hidden.subarray(base, base + H));
    return out;
  }
  const acc = new Float64Array(H);
  let count = 0;
  for (let t = 0; t < T; t++) {
    if (mask[b * T + t] === 0) continue;
    count++;
    const o = base + t * H;
    for (let h = 0; h < H; h++) acc[h] += hidden[o + h];
  }
  const inv = 1 / Math.max(count, 1e-9);
  for (let h = 0; h < H; h++) out[h] = acc[h] * inv;
  return out;
}

// --- the encoder --------------------------------------------------------------------------------

async function fileExists(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isFile(), () => false);
}

export async function loadEncoder(dir: string, opts: LoadEncoderOptions = {}): Promise<Encoder> {
  const abs = path.resolve(dir);
  const quantized = opts.quantized ?? false;
  const threads = opts.threads ?? os.availableParallelism();
  const onnxPath = path.join(abs, "onnx", quantized ? "model_quantized.onnx" : "model.onnx");
  if (!(await fileExists(onnxPath))) {
    throw new Error(
      quantized
        ? `${abs} has no onnx/model_quantized.onnx: turn "quantized" off for this model, or put a quantized export there`
        : `${abs} has no onnx/model.onnx: not an encoder in the transformers.js layout`,
    );
  }
  const config = JSON.parse(await readFile(path.join(abs, "config.json"), "utf8")) as Record<string, unknown>;
  const tokenizer = await loadTokenizer(abs);
  const wrap = specialWrap(tokenizer);
  const padId = Number((tokenizer as unknown as { pad_token_id?: number }).pad_token_id ?? 0) || 0;
  const session = await ort.InferenceSession.create(onnxPath, {
    executionProviders: executionProviders(opts.device ?? currentDevice()),
    graphOptimizationLevel: "all",
    executionMode: "sequential",
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  });
  const inputNames = session.inputNames;
  const outputName = session.outputNames.includes("last_hidden_state") ? "last_hidden_state" : session.outputNames[0];
  let hiddenSize = Number(config.hidden_size ?? config.dim ?? config.d_model ?? 0);

  async function runBatch(ids: Int32Array[], batch: Int32Array, pooling: Pooling, out: Float32Array[]): Promise<void> {
    const { feeds, mask, seqLen: T } = buildFeeds(ids, batch, inputNames, padId);
    const result = await session.run(feeds, [outputName]);
    const h = result[outputName];
    const B = batch.length;
    if (!h || h.dims.length !== 3 || h.dims[0] !== B || h.dims[1] !== T) {
      throw new Error(`encoder output "${outputName}" has shape [${h?.dims.join(", ")}], expected [${B}, ${T}, hidden]`);
    }
    const H = Number(h.dims[2]);
    if (hiddenSize && H !== hiddenSize) throw new Error(`encoder output is ${H} wide but config.json says hidden_size ${hiddenSize}`);
    hiddenSize = H;
    const data = h.data as Float32Array;
    for (let b = 0; b < B; b++) out[batch[b]] = poolRow(data, mask, b, T, H, pooling);
    h.dispose?.();
  }

  async function encodeIds(ids: Int32Array[], o: EncodeOptions, started = performance.now()): Promise<Float32Array[]> {
    if (o.pooling !== "mean" && o.pooling !== "cls") throw new RangeError(`pooling must be "mean" or "cls", got ${JSON.stringify(o.pooling)}`);
    const batches = makeBatches(
      ids.map((x) => x.length),
      o.maxBatchTokens ?? DEFAULT_MAX_BATCH_TOKENS,
      o.maxBatchRows ?? DEFAULT_MAX_BATCH_ROWS,
    );
    const out: Float32Array[] = new Array(ids.length);
    let done = 0;
    for (const batch of batches) {
      throwIfCancelled(o.signal, "encoding was cancelled");
      await runBatch(ids, batch, o.pooling, out);
      done += batch.length;
      const seconds = (performance.now() - started) / 1000;
      await o.onProgress?.(done, ids.length, seconds > 0 ? done / seconds : 0);
      await new Promise<void>((resolve) => setImmediate(resolve)); // heartbeats and HTTP between batches
    }
    return out;
  }

  const tokenize = (texts: string[], maxLength: number) => tokenizeForBatches(tokenizer, texts, maxLength, { wrap });

  if (!hiddenSize) {
    // No width in config.json: run one [CLS]-only row to learn it.
    await runBatch([Int32Array.from(wrap?.prefix.length ? wrap.prefix : [padId])], Int32Array.of(0), "cls", []);
  }

  return {
    dir: abs,
    quantized,
    threads,
    get hiddenSize() {
      return hiddenSize;
    },
    inputNames,
    outputName,
    session,
    tokenizer,
    tokenize,
    async encode(texts, o) {
      const started = performance.now();
      throwIfCancelled(o.signal, "encoding was cancelled");
      const ids = await tokenize(texts, o.maxLength);
      return encodeIds(ids, o, started);
    },
    encodeIds: (ids, o) => encodeIds(ids, o),
    async close() {
      await session.release();
    },
  };
}
