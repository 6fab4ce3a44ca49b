// encodeTexts and countWords on several threads: the same ids (same tokenizer folder, same
// loadTokenizer and encodeOne) and the same word counts, in the same order, in a fraction of the time
// on a machine with several cores.
//
// A call cuts the texts into contiguous chunks that the calling thread and the worker threads take
// from one queue. The calling thread works from the first moment, yielding to its event loop as
// encodeTextsAsync does; worker threads join as soon as they can (about 0.1 s: a fast-path folder
// needs no transformers.js, ./tokenizer.ts loadIdEncoder; any other costs a thread 0.4 s more). A
// pool can be started before the tokenizer folder exists, so that the workers' start-up overlaps
// with counting the words for the vocabulary.
//
// Encoded chunks are packed, in order, into one Int32Array on a SharedArrayBuffer (./token-packer.ts),
// and every text's ids are a view of it; word counts come back per chunk and are merged in order
// (./word-counts.ts), which gives exactly the single-thread map.
import os from "node:os";
import { Worker } from "node:worker_threads";
import { countWords as countWordsHere, DEFAULT_CASING, WordCounter, type Casing } from "../training/tokenizer-builder";
import { runChunks, type ChunkLink, type ChunkListener, type ChunkResult } from "./chunk-queue";
import { packChunk, TokenPacker, type PackedChunk } from "./token-packer";
import { encodeOne, loadIdEncoder } from "./encode";
import { WordCountMerger, type WordCounts } from "./word-counts";

/** Fewer texts than this are encoded in the calling thread alone: starting threads would cost more. */
export const PARALLEL_MIN_TEXTS = 500;

export interface ParallelEncodeOptions {
  /** below this many texts, encode in the calling thread only (default PARALLEL_MIN_TEXTS) */
  minTexts?: number;
  /** called after each chunk (the last call has done = total); throwing from it cancels: the encode rejects with that error */
  onProgress?(done: number, total: number): void | Promise<void>;
  /** the calling thread yields to its event loop about this often (default 50 ms) */
  yieldEveryMs?: number;
  /**
   * encode empties `texts` as it goes: each text's entry becomes "" once it is encoded or sent to a
   * worker thread (which has its own copy), so that texts nothing else holds are freed while the
   * ids are being made. A failed or cancelled call leaves the array part emptied.
   */
  consume?: boolean;
}

export type ParallelCountOptions = Pick<ParallelEncodeOptions, "minTexts" | "yieldEveryMs"> & {
  /** chunks each thread takes (default CHUNKS_PER_THREAD): each chunk's map is sent back and merged, so a call over one block of many uses fewer */
  chunksPerThread?: number;
};

export interface TokenizePool {
  /** worker threads in the pool (the calling thread works too) */
  readonly workers: number;
  /**
   * encodeTexts(await loadTokenizer(dir), texts, maxLength), on the pool and the calling thread; one
   * call at a time. Every row is a view of ONE Int32Array on a SharedArrayBuffer, in the texts'
   * order (lib/training/token-rows.ts sharedTokenBuffer finds it).
   */
  encode(dir: string, texts: string[], maxLength: number, opts?: ParallelEncodeOptions): Promise<Int32Array[]>;
  /**
   * encode's ids for `count` texts that are asked for a block at a time (`block(from, to)` gives
   * texts from … to - 1; blocks of `blockTexts`, default BLOCK_TEXTS), so that only one block's
   * texts are in memory (texts read back from a file: lib/runs/text-spill.ts). The same ids as
   * encode on all the texts at once, in ONE shared buffer; onProgress counts texts of all blocks.
   */
  encodeBlocks(dir: string, count: number, block: TextBlock, maxLength: number, opts?: EncodeBlocksOptions): Promise<Int32Array[]>;
  /** countWords(texts, casing) on the pool and the calling thread: the same map, in the same order */
  countWords(texts: string[], casing?: Casing, opts?: ParallelCountOptions): Promise<Map<string, number>>;
  /** terminates the worker threads; the pool cannot be used afterwards */
  close(): Promise<void>;
}

export interface EncodeBlocksOptions extends ParallelEncodeOptions {
  /** texts per block (default BLOCK_TEXTS) */
  blockTexts?: number;
  /** the rows without an object per row (lib/training/token-rows.ts lazyTokenRows): each row's view is made when read */
  lazy?: boolean;
  /**
   * Each block's rows, in order, as soon as the block is encoded (text `from` first), instead of
   * all of them at the end: nothing of a block is kept once it returns (the starter writes them to
   * files, lib/training/token-spill.ts), and encodeBlocks gives no rows.
   */
  sink?: (from: number, rows: Int32Array[]) => void;
}

/** Texts [from, to) of a longer list, read on demand. */
export type TextBlock = (from: number, to: number) => string[] | Promise<string[]>;

/** Texts per block of encodeBlocks (and of the starter's word counts): a block's strings are what is in memory at once. */
export const BLOCK_TEXTS = 20_000;

/**
 * countWordsInBlocks' chunks per thread and block: every chunk's map (thousands of words) is cloned
 * back and merged, and a block is already a small part of the work. 200,000 generated texts of
 * 50–150 words on 2 threads: 16 chunks per thread and block 4.8 s, 2: 3.5–4.2 s, one call over all
 * of them (16 per thread) 3.4 s.
 */
const BLOCK_CHUNKS_PER_THREAD = 2;
/** Chunks per thread: enough to balance uneven texts, keep the end even and report progress often. */
const CHUNKS_PER_THREAD = 16;
/** Texts the calling thread counts between two looks at its event loop. */
const COUNT_SLICE = 200;

/**
 * Starts `threads - 1` worker threads (threads defaults to os.availableParallelism(); the calling
 * thread is the last one), which start at once. Close it when done.
 */
export function createTokenizePool(opts: { threads?: number } = {}): TokenizePool {
  const count = Math.max(0, Math.floor(opts.threads ?? os.availableParallelism()) - 1);
  const workers: Worker[] = [];
  /** an error a worker raised (or its unexpected exit); fails the current and every later call */
  let broken: Error | null = null;
  /** who hears the workers: the call in progress */
  let listener: ChunkListener | null = null;
  const link: ChunkLink = { broken: () => broken, listen: (l) => (listener = l) };
  let closed = false;
  let busy = false;
  let calls = 0;
  const breakWith = (err: Error) => {
    if (closed || broken) return;
    broken = err;
    listener?.broken(err);
  };
  for (let t = 0; t < count; t++) {
    const w = new Worker(new URL("./parallel-tokenize-worker.mjs", import.meta.url));
    w.on("message", (msg: ChunkResult) => listener?.result(w, msg));
    w.on("error", (err) => breakWith(err instanceof Error ? err : new Error(String(err))));
    w.on("exit", (code) => breakWith(new Error(`a tokenizer worker thread exited (code ${code})`)));
    workers.push(w);
  }

  /** One call at a time: the helpers when there are enough texts, else the calling thread alone. */
  async function exclusive<T>(texts: number, minTexts: number | undefined, body: (helpers: Worker[], call: number) => Promise<T>): Promise<T> {
    if (closed) throw new Error("the tokenizer pool is closed");
    if (busy) throw new Error("the tokenizer pool is already working");
    busy = true;
    try {
      const parallel = workers.length > 0 && texts >= (minTexts ?? PARALLEL_MIN_TEXTS);
      return await body(parallel ? workers : [], ++calls);
    } finally {
      busy = false;
    }
  }

  function encode(dir: string, texts: string[], maxLength: number, eo: ParallelEncodeOptions = {}): Promise<Int32Array[]> {
    return exclusive(texts.length, eo.minTexts, (helpers, call) => encodeIn(helpers, call, dir, texts.length, (from, to) => (from === 0 && to === texts.length ? texts : texts.slice(from, to)), maxLength, eo, Infinity));
  }

  function encodeBlocks(dir: string, count: number, block: TextBlock, maxLength: number, eo: EncodeBlocksOptions = {}): Promise<Int32Array[]> {
    const size = Math.max(1, Math.floor(eo.blockTexts ?? BLOCK_TEXTS));
    return exclusive(Math.min(count, size), eo.minTexts, (helpers, call) => encodeIn(helpers, call, dir, count, block, maxLength, eo, size));
  }

  /** The texts in blocks of `blockSize` (Infinity: one block), each cut into chunks for the threads, packed into one buffer. */
  async function encodeIn(helpers: Worker[], call: number, dir: string, count: number, block: TextBlock, maxLength: number, eo: EncodeBlocksOptions, blockSize: number): Promise<Int32Array[]> {
    // one packer for all the rows, or (with a sink) one per block, indexed from the block's first text
    const whole = eo.sink ? null : new TokenPacker([], count * maxLength, count);
    const tokenizer = loadIdEncoder(dir);
    tokenizer.catch(() => {}); // the workers may take every chunk: then only they report a folder they cannot load
    for (let from = 0; from < count || (from === 0 && count === 0); from += blockSize) {
      const to = Math.min(count, from + blockSize);
      const texts = to > from ? await block(from, to) : [];
      if (texts.length !== to - from) throw new Error(`texts ${from} … ${to - 1}: got ${texts.length} texts`);
      const chunks = planChunks(texts, maxLength, (helpers.length + 1) * CHUNKS_PER_THREAD);
      const packer = whole ?? new TokenPacker([], texts.length * maxLength, texts.length);
      const at = whole ? from : 0;
      const base = packer.extend(chunks.map(([a, b]) => [at + a, at + b]));
      await runChunks<PackedChunk>(helpers, from === 0 ? call : ++calls, link, {
        chunks,
        message: (c) => {
          const slice = textsOf(texts, chunks[c]);
          if (eo.consume) texts.fill("", ...chunks[c]);
          return { op: "encode", dir, texts: slice, maxLength };
        },
        local: async (c, pause) => {
          const tok = await tokenizer;
          const [a, b] = chunks[c];
          const parts: Int32Array[] = new Array(b - a);
          for (let i = a; i < b; i++) {
            parts[i - a] = encodeOne(tok, texts[i] ?? "", maxLength);
            if (eo.consume) texts[i] = "";
            if (await pause()) return null;
          }
          return packChunk(parts);
        },
        accept: (c, r) => packer.add(base + c, r),
        onProgress: eo.onProgress && ((done) => eo.onProgress!(from + done, count)),
        yieldEveryMs: eo.yieldEveryMs,
      });
      if (!whole) eo.sink!(from, packer.finishLazy());
      if (count === 0) break;
    }
    if (!whole) return [];
    return eo.lazy ? whole.finishLazy() : whole.finish();
  }

  function countWords(texts: string[], casing: Casing = DEFAULT_CASING, co: ParallelCountOptions = {}): Promise<Map<string, number>> {
    return exclusive(texts.length, co.minTexts, async (helpers, call) => {
      if (helpers.length === 0) return countWordsHere(texts, casing);
      // Contiguous chunks merged in order give the single-thread map, insertion order included.
      const chunks = planChunks(texts, Infinity, (helpers.length + 1) * (co.chunksPerThread ?? CHUNKS_PER_THREAD));
      const merged = new WordCountMerger(chunks.length);
      await runChunks<WordCounts>(helpers, call, link, {
        chunks,
        message: (c) => ({ op: "count", texts: textsOf(texts, chunks[c]), casing }),
        local: async (c, pause) => {
          const counter = new WordCounter(casing);
          const [from, to] = chunks[c];
          for (let i = from; i < to; i += COUNT_SLICE) {
            counter.add(textsOf(texts, [i, Math.min(to, i + COUNT_SLICE)]));
            if (await pause()) return null;
          }
          return counter.result();
        },
        accept: (c, r) => merged.add(c, r),
        yieldEveryMs: co.yieldEveryMs,
      });
      return merged.result();
    });
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    await Promise.all(workers.map((w) => w.terminate()));
  }

  return { workers: workers.length, encode, encodeBlocks, countWords, close };
}

/**
 * pool.countWords over `count` texts asked for a block at a time (only one block's texts in memory);
 * the blocks' maps merged in order are exactly the map of all the texts at once, insertion order
 * included.
 */
export async function countWordsInBlocks(pool: TokenizePool, count: number, block: TextBlock, casing?: Casing, blockTexts = BLOCK_TEXTS): Promise<Map<string, number>> {
  const size = Math.max(1, Math.floor(blockTexts));
  let merged: Map<string, number> | null = null;
  for (let from = 0; from < count; from += size) {
    const counts = await pool.countWords(await block(from, Math.min(count, from + size)), casing, { chunksPerThread: BLOCK_CHUNKS_PER_THREAD });
    if (!merged) merged = counts;
    else for (const [w, c] of counts) merged.set(w, (merged.get(w) ?? 0) + c);
  }
  return merged ?? new Map();
}

/** The texts of one chunk (a missing text is ""). */
function textsOf(texts: string[], [from, to]: [number, number]): string[] {
  const slice: string[] = new Array(to - from);
  for (let i = from; i < to; i++) slice[i - from] = texts[i] ?? "";
  return slice;
}

/**
 * Token ids per text exactly as `encodeTexts(await loadTokenizer(dir), texts, maxLength)` gives
 * them, on `threads` threads (default os.availableParallelism(): the calling one and worker
 * threads that each load the tokenizer from `dir` once). Texts go out in contiguous chunks of
 * about equal work and come back as transferred buffers, packed into one shared buffer; the result
 * (views of it) is in the texts' order whatever order the chunks finish in. Fewer than `minTexts` texts (default 500) or one thread:
 * no worker thread is started. The workers are terminated before it resolves or rejects.
 */
export async function encodeTextsParallel(
  dir: string,
  texts: string[],
  maxLength: number,
  opts: ParallelEncodeOptions & { threads?: number } = {},
): Promise<Int32Array[]> {
  const few = texts.length < (opts.minTexts ?? PARALLEL_MIN_TEXTS);
  const pool = createTokenizePool({ threads: few ? 1 : Math.min(opts.threads ?? os.availableParallelism(), texts.length) });
  try {
    return await pool.encode(dir, texts, maxLength, opts);
  } finally {
    await pool.close();
  }
}

/**
 * Contiguous [from, to) ranges of about equal work. A text's work is about its length up to the
 * prefix encodeOne tokenises (8 characters per wanted token; maxLength Infinity: the whole text, as
 * counting reads it), plus a fixed cost per text.
 */
export function planChunks(texts: string[], maxLength: number, count: number): [number, number][] {
  const cap = Math.max(64, maxLength * 8);
  const cost = (i: number) => Math.min((texts[i] ?? "").length, cap) + 32;
  let sum = 0;
  for (let i = 0; i < texts.length; i++) sum += cost(i);
  const target = sum / Math.max(1, count);
  const ranges: [number, number][] = [];
  let from = 0;
  let acc = 0;
  for (let i = 0; i < texts.length; i++) {
    acc += cost(i);
    if (acc >= target) {
      ranges.push([from, i + 1]);
      from = i + 1;
      acc = 0;
    }
  }
  if (from < texts.length) ranges.push([from, texts.length]);
  return ranges;
}
