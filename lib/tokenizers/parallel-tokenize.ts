// encodeTexts on several threads: the same ids (same tokenizer folder, same loadTokenizer and
// encodeOne), in the same order, in a fraction of the time on a machine with several cores.
//
// The calling thread encodes too, from the first moment (transformers.js is already loaded
// there), in slices that yield to its event loop as encodeTextsAsync does; worker threads join
// as soon as they have imported transformers.js (about 0.4 s each), taking chunks from the same
// queue. A pool can be started before the tokenizer folder exists, so that the workers' start-up
// overlaps with building the vocabulary.
import os from "node:os";
import { Worker } from "node:worker_threads";
import { encodeOne, loadTokenizer } from "./tokenizer";

/** Fewer texts than this are encoded in the calling thread alone: starting threads would cost more. */
export const PARALLEL_MIN_TEXTS = 500;

export interface ParallelEncodeOptions {
  /** below this many texts, encode in the calling thread only (default PARALLEL_MIN_TEXTS) */
  minTexts?: number;
  /** called after each chunk (the last call has done = total); throwing from it cancels: the encode rejects with that error */
  onProgress?(done: number, total: number): void | Promise<void>;
  /** the calling thread yields to its event loop about this often (default 50 ms) */
  yieldEveryMs?: number;
}

export interface TokenizePool {
  /** worker threads in the pool (the calling thread encodes too) */
  readonly workers: number;
  /** encodeTexts(await loadTokenizer(dir), texts, maxLength), on the pool and the calling thread; one call at a time */
  encode(dir: string, texts: string[], maxLength: number, opts?: ParallelEncodeOptions): Promise<Int32Array[]>;
  /** terminates the worker threads; the pool cannot be used afterwards */
  close(): Promise<void>;
}

/** Chunks per thread: enough to balance uneven texts, keep the end even and report progress often. */
const CHUNKS_PER_THREAD = 16;
/** Chunks a worker holds at once (one encoding, the next already queued). */
const IN_FLIGHT = 2;

interface ChunkResult {
  /** which encode call the chunk belongs to (a cancelled call's late chunks are dropped) */
  call: number;
  chunk: number;
  ids: Int32Array;
  offsets: Int32Array;
}

/**
 * Starts `threads - 1` worker threads (threads defaults to os.availableParallelism(); the calling
 * thread is the last one), which import transformers.js right away. Close it when done.
 */
export function createTokenizePool(opts: { threads?: number } = {}): TokenizePool {
  const count = Math.max(0, Math.floor(opts.threads ?? os.availableParallelism()) - 1);
  const workers: Worker[] = [];
  /** an error a worker raised (or its unexpected exit); fails the current and every later encode */
  let broken: Error | null = null;
  let onBroken: ((err: Error) => void) | null = null;
  let onResult: ((w: Worker, msg: ChunkResult) => void) | null = null;
  let closed = false;
  let busy = false;
  let calls = 0;
  const breakWith = (err: Error) => {
    if (closed || broken) return;
    broken = err;
    onBroken?.(err);
  };
  for (let t = 0; t < count; t++) {
    const w = new Worker(new URL("./parallel-tokenize-worker.mjs", import.meta.url));
    w.on("message", (msg: ChunkResult) => onResult?.(w, msg));
    w.on("error", (err) => breakWith(err instanceof Error ? err : new Error(String(err))));
    w.on("exit", (code) => breakWith(new Error(`a tokenizer worker thread exited (code ${code})`)));
    workers.push(w);
  }

  async function encode(dir: string, texts: string[], maxLength: number, eo: ParallelEncodeOptions = {}): Promise<Int32Array[]> {
    if (closed) throw new Error("the tokenizer pool is closed");
    if (busy) throw new Error("the tokenizer pool is already encoding");
    busy = true;
    const call = ++calls;
    try {
      const total = texts.length;
      const parallel = workers.length > 0 && total >= (eo.minTexts ?? PARALLEL_MIN_TEXTS);
      const helpers = parallel ? workers : [];
      const chunks = planChunks(texts, maxLength, (helpers.length + 1) * CHUNKS_PER_THREAD);
      const out: Int32Array[] = new Array(total);
      let next = 0;
      let done = 0;
      let failure: unknown = null;
      let progress: Promise<void> = Promise.resolve();
      let wake: (() => void) | null = null;
      const nudge = () => {
        const w = wake;
        wake = null;
        w?.();
      };
      const fail = (err: unknown) => {
        failure ??= err;
        nudge();
      };
      const finished = (n: number) => {
        done += n;
        const at = done;
        progress = progress.then(() => {
          if (failure) return;
          return eo.onProgress?.(at, total);
        });
        progress.catch(fail);
        nudge();
      };
      const send = (w: Worker) => {
        if (failure || next >= chunks.length) return;
        const c = next++;
        const [from, to] = chunks[c];
        const slice: string[] = new Array(to - from);
        for (let i = from; i < to; i++) slice[i - from] = texts[i] ?? "";
        w.postMessage({ call, chunk: c, dir, texts: slice, maxLength });
      };
      if (broken) throw broken;
      onBroken = fail;
      onResult = (w, msg) => {
        if (failure || msg.call !== call) return;
        const [from, to] = chunks[msg.chunk];
        for (let i = from; i < to; i++) out[i] = msg.ids.slice(msg.offsets[i - from], msg.offsets[i - from + 1]);
        finished(to - from);
        send(w);
      };
      for (let k = 0; k < IN_FLIGHT; k++) for (const w of helpers) send(w);

      // The calling thread takes chunks from the same queue, yielding now and then.
      const tokenizer = await loadTokenizer(dir);
      const every = eo.yieldEveryMs ?? 50;
      let last = performance.now();
      while (!failure && next < chunks.length) {
        const [from, to] = chunks[next++];
        for (let i = from; i < to; i++) {
          out[i] = encodeOne(tokenizer, texts[i] ?? "", maxLength);
          if (performance.now() - last >= every) {
            await new Promise<void>((resolve) => setImmediate(resolve));
            last = performance.now();
            if (failure) break;
          }
        }
        if (!failure) finished(to - from);
      }
      // Then waits for the workers' last chunks.
      while (!failure && done < total) await new Promise<void>((resolve) => (wake = resolve));
      await progress.catch(() => {});
      if (failure) throw failure;
      if (total === 0) await eo.onProgress?.(0, 0);
      return out;
    } finally {
      onResult = null;
      onBroken = null;
      busy = false;
    }
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    await Promise.all(workers.map((w) => w.terminate()));
  }

  return { workers: workers.length, encode, close };
}

/**
 * Token ids per text exactly as `encodeTexts(await loadTokenizer(dir), texts, maxLength)` gives
 * them, on `threads` threads (default os.availableParallelism(): the calling one and worker
 * threads that each load the tokenizer from `dir` once). Texts go out in contiguous chunks of
 * about equal work and come back as transferred buffers; the result is in the texts' order
 * whatever order the chunks finish in. Fewer than `minTexts` texts (default 500) or one thread:
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
 * prefix encodeOne tokenises (8 characters per wanted token), plus a fixed cost per text.
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
