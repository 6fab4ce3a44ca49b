// Packs the token ids of many texts, encoded chunk by chunk (contiguous ranges of texts, finishing
// in any order), into ONE Int32Array on a SharedArrayBuffer, in the texts' order: worker threads can
// then read every text's ids without a copy (lib/training/token-rows.ts finds the buffer again).
//
// A chunk is copied in as soon as every chunk before it is in, and its own buffer is dropped, so at
// most the chunks still waiting for an earlier one are held twice. The shared buffer is sized from
// the chunks packed so far with room to spare (pages never written cost no memory), and is
// reallocated larger, once in a while, if a later chunk does not fit.

import { lazyTokenRows } from "../training/token-rows";

/** One chunk's ids packed: text k of the chunk is ids[offsets[k] .. offsets[k + 1]). */
export interface PackedChunk {
  ids: Int32Array;
  offsets: Int32Array;
}

/** Ids of texts, one array each, packed into one chunk. */
export function packChunk(parts: Int32Array[]): PackedChunk {
  const offsets = new Int32Array(parts.length + 1);
  for (let i = 0; i < parts.length; i++) offsets[i + 1] = offsets[i] + parts[i].length;
  const ids = new Int32Array(offsets[parts.length]);
  for (let i = 0; i < parts.length; i++) ids.set(parts[i], offsets[i]);
  return { ids, offsets };
}

/** Room over the estimate: untouched pages of a SharedArrayBuffer are never resident. */
const SPARE = 1.5;

export class TokenPacker {
  private readonly ranges: [number, number][] = [];
  private readonly pending: (PackedChunk | undefined)[] = [];
  /** the next chunk to copy in */
  private next = 0;
  private buf = new Int32Array(new SharedArrayBuffer(0));
  private used = 0;
  /** text i's ids start at starts[i] in the buffer; starts[n] is the end */
  private readonly starts: Float64Array;

  /**
   * @param ranges the chunks' [from, to) ranges of texts: contiguous, in order, from text 0
   * @param maxIds an upper bound on the total ids (texts × maxLength): the buffer never exceeds it
   * @param texts how many texts there will be (default: the end of the last range); more ranges
   *   can follow with extend (texts read in blocks, parallel-tokenize.ts encodeBlocks)
   */
  constructor(
    ranges: [number, number][],
    private readonly maxIds: number,
    texts = ranges.at(-1)?.[1] ?? 0,
  ) {
    this.starts = new Float64Array(texts + 1);
    this.extend(ranges);
  }

  /** More chunks, after the ones so far (contiguous with them); returns the index of the first. */
  extend(ranges: [number, number][]): number {
    const first = this.ranges.length;
    for (const r of ranges) {
      const end = this.ranges.at(-1)?.[1] ?? 0;
      if (r[0] !== end || r[1] < r[0] || r[1] > this.starts.length - 1) throw new RangeError(`chunk [${r[0]}, ${r[1]}) does not follow text ${end} within ${this.starts.length - 1} texts`);
      this.ranges.push(r);
    }
    return first;
  }

  /** Chunk c's ids; copied in once every earlier chunk is. */
  add(c: number, chunk: PackedChunk): void {
    this.pending[c] = chunk;
    while (this.next < this.ranges.length && this.pending[this.next]) {
      const k = this.next++;
      const { ids, offsets } = this.pending[k]!;
      this.pending[k] = undefined;
      this.reserve(ids.length, this.ranges[k][1]);
      this.buf.set(ids, this.used);
      const from = this.ranges[k][0];
      for (let i = 0; i < offsets.length; i++) this.starts[from + i] = this.used + offsets[i];
      this.used += ids.length;
    }
  }

  /** Every text's ids as a view of the one shared buffer; all chunks of all texts must have been added. */
  finish(): Int32Array[] {
    const n = this.complete();
    const out: Int32Array[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.buf.subarray(this.starts[i], this.starts[i + 1]);
    return out;
  }

  /** Every text's ids as rows without an object per row (lib/training/token-rows.ts lazyTokenRows); all chunks must have been added. */
  finishLazy(): Int32Array[] {
    const n = this.complete();
    const lengths = new Int32Array(n);
    for (let i = 0; i < n; i++) lengths[i] = this.starts[i + 1] - this.starts[i];
    return lazyTokenRows({ buffer: this.buf.buffer as SharedArrayBuffer, starts: this.starts.subarray(0, n), lengths });
  }

  /** The text count, once every chunk of every text is in. */
  private complete(): number {
    const n = this.starts.length - 1;
    if (this.next < this.ranges.length) throw new Error(`chunk ${this.next} of ${this.ranges.length} was never packed`);
    if ((this.ranges.at(-1)?.[1] ?? 0) !== n) throw new Error(`only ${this.ranges.at(-1)?.[1] ?? 0} of ${n} texts were packed`);
    return n;
  }

  /** Room for `more` ids, once texts up to `textsAfter` are in. */
  private reserve(more: number, textsAfter: number): void {
    const need = this.used + more;
    if (need <= this.buf.length) return;
    // Chunks are of about equal work (planChunks), so the texts packed tell how many ids the rest hold.
    const estimate = Math.ceil((need / Math.max(1, textsAfter)) * (this.starts.length - 1) * SPARE);
    const grown = new Int32Array(new SharedArrayBuffer(Math.max(need, Math.min(this.maxIds, estimate)) * 4));
    grown.set(this.buf.subarray(0, this.used));
    this.buf = grown;
  }
}
