import type { Worker } from "node:worker_threads";

// One call's work on a pool of worker threads and the calling thread (./parallel-tokenize.ts): the
// texts are cut in contiguous chunks that every thread takes from one queue, in order; a worker
// holds IN_FLIGHT chunks at once, the calling thread does one at a time and yields to its event
// loop now and then. Progress is reported after each chunk, in order; the first failure stops the
// call.

/** Chunks a worker holds at once (one in work, the next already queued). */
const IN_FLIGHT = 2;

/** What a worker sends back for a chunk: PackedChunk (encode) or WordCounts (count). */
export interface ChunkResult {
  /** which call the chunk belongs to (a cancelled call's late chunks are dropped) */
  call: number;
  chunk: number;
}

/** One call's work, cut in contiguous chunks that workers and the calling thread take in order. */
export interface ChunkJob<R> {
  chunks: [number, number][];
  /** the message that has a worker do chunk c (its result comes back as R & ChunkResult) */
  message(c: number): object;
  /** the calling thread does chunk c; `pause` yields to the event loop now and then and says whether to stop */
  local(c: number, pause: () => Promise<boolean>): Promise<R | null>;
  /** a chunk's result, from either side */
  accept(c: number, result: R): void;
  onProgress?(done: number, total: number): void | Promise<void>;
  yieldEveryMs?: number;
}

/** Who hears a pool's workers while a call runs. */
export interface ChunkListener {
  result(w: Worker, msg: ChunkResult): void;
  broken(err: Error): void;
}

/** How a call hears from its pool's workers. */
export interface ChunkLink {
  /** the error that broke the pool (a worker's error or unexpected exit), if one did */
  broken(): Error | null;
  /** sets (or, with null, clears) who hears the workers */
  listen(l: ChunkListener | null): void;
}

/**
 * Runs a job's chunks on `helpers` (worker threads of a pool, heard through `link`) and the calling
 * thread; resolves once every chunk is accepted, rejects with the first failure (a worker's error,
 * a throwing onProgress or local) once no chunk of this call is in work here.
 */
export async function runChunks<R>(helpers: Worker[], call: number, link: ChunkLink, job: ChunkJob<R>): Promise<void> {
  const { chunks } = job;
  const total = chunks.length === 0 ? 0 : chunks[chunks.length - 1][1];
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
  const finished = (c: number) => {
    done += chunks[c][1] - chunks[c][0];
    const at = done;
    progress = progress.then(() => {
      if (failure) return;
      return job.onProgress?.(at, total);
    });
    progress.catch(fail);
    nudge();
  };
  const send = (w: Worker) => {
    if (failure || next >= chunks.length) return;
    w.postMessage({ call, chunk: next, ...job.message(next++) });
  };
  const broken = link.broken();
  if (broken) throw broken;
  link.listen({
    broken: fail,
    result: (w, msg) => {
      if (failure || msg.call !== call) return;
      job.accept(msg.chunk, msg as R & ChunkResult);
      finished(msg.chunk);
      send(w);
    },
  });
  try {
    for (let k = 0; k < IN_FLIGHT; k++) for (const w of helpers) send(w);
    // The calling thread takes chunks from the same queue, yielding now and then.
    const every = job.yieldEveryMs ?? 50;
    let last = performance.now();
    const pause = async () => {
      if (performance.now() - last >= every) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        last = performance.now();
      }
      return failure !== null;
    };
    while (!failure && next < chunks.length) {
      const c = next++;
      let result: R | null;
      try {
        result = await job.local(c, pause);
      } catch (err) {
        fail(err);
        break;
      }
      if (failure || result === null) break;
      job.accept(c, result);
      finished(c);
    }
    // Then waits for the workers' last chunks.
    while (!failure && done < total) await new Promise<void>((resolve) => (wake = resolve));
    await progress.catch(() => {});
    if (failure) throw failure;
    if (total === 0) await job.onProgress?.(0, 0);
  } finally {
    link.listen(null);
  }
}
