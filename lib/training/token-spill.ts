import { closeSync, mkdirSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { spillFileName } from "../process/spill-files";
import { mulberry32, type Rng } from "./rng";
import { lazyTokenRows, type RowsReader } from "./token-rows";
import { grown, sharedArray } from "./typed-arrays";
import type { TokenPiece, TrainPieces } from "./train-pieces";

// A big table's token ids in files under DATA_DIR/spill instead of in memory, read back as they are
// needed, the way fastText re-reads its input file each epoch. Each row is one record of int32s in
// the machine's byte order (the files never leave the process that wrote them): its label, its
// length, its ids.
//
// TokenRowFile: rows appended in order and read back a range at a time (the test rows, scored in
// order). TokenBuckets: the training rows dealt among several files at random (seeded) as they are
// written, so that each file holds a uniform sample of the rows; an epoch reads the files in a random
// order, one at a time, and trains on each one's rows in a random order (train-pieces.ts). That is
// as good a shuffle as one over all the rows, with one file's rows in memory instead of all of them.
//
// The files are named as every spill file is (lib/process/spill-files.ts): the run closes them
// however it ends, and a worker killed before it could is cleaned up after by the next one.

/** Ints a file buffers before it writes them. */
const WRITE_INTS = 32 * 1024;

export class TokenRowFile {
  readonly file: string;
  private fd: number | null;
  private count = 0;
  /** ints in the file */
  private written = 0;
  private pending = new Int32Array(WRITE_INTS);
  private used = 0;
  /** each record's first int in the file (kept when the file is read a range at a time) */
  private offsets: Float64Array | null;
  private maxLength = 0;

  /** A new, empty file in `dir` (created if missing); `tag` names it. `ranges`: keep what read(from, to) needs (8 bytes a row). */
  constructor(dir: string, tag: string, opts: { ranges?: boolean } = {}) {
    mkdirSync(dir, { recursive: true });
    this.file = spillFileName(dir, "ids", tag);
    // "wx+": a second file of the same name is refused rather than both writing into one
    this.fd = openSync(this.file, "wx+");
    this.offsets = opts.ranges ? new Float64Array(1024) : null;
  }

  /** Rows appended so far. */
  get size(): number {
    return this.count;
  }

  /** The longest row appended. */
  get longest(): number {
    return this.maxLength;
  }

  /** Appends a row: its ids and its label. */
  append(ids: Int32Array, label: number): void {
    this.open();
    if (this.offsets) {
      if (this.count === this.offsets.length) this.offsets = grown(this.offsets, this.count * 2);
      this.offsets[this.count] = this.written + this.used;
    }
    const need = ids.length + 2;
    if (this.used + need > this.pending.length) this.flush();
    if (need > this.pending.length) this.pending = new Int32Array(need);
    this.pending[this.used] = label;
    this.pending[this.used + 1] = ids.length;
    this.pending.set(ids, this.used + 2);
    this.used += need;
    this.count++;
    if (ids.length > this.maxLength) this.maxLength = ids.length;
  }

  /** Writes what was appended. */
  flush(): void {
    if (this.used === 0) return;
    const fd = this.open();
    const bytes = Buffer.from(this.pending.buffer, this.pending.byteOffset, this.used * 4);
    let at = 0;
    while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at, this.written * 4 + at);
    this.written += this.used;
    this.used = 0;
  }

  /** Every row, into shared memory (`into`'s when given: see PieceBuffer). */
  readAll(into?: PieceBuffer): TokenPiece {
    return this.readInts(0, this.written + this.used, this.count, into);
  }

  /** Rows from … to - 1 (a file made with `ranges`), into `into`'s memory when given (valid until its next read). */
  readRange(from: number, to: number, into?: PieceBuffer): TokenPiece {
    if (!this.offsets) throw new Error(`${this.file}: made without ranges, it is read whole`);
    if (!(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from <= to && to <= this.count)) throw new RangeError(`rows [${from}, ${to}) are not within [0, ${this.count})`);
    const end = to === this.count ? this.written + this.used : this.offsets[to];
    return this.readInts(from === to ? end : this.offsets[from], end, to - from, into);
  }

  /** The file as a RowsReader (rows without an object each, token-rows.ts lazyTokenRows), read into one buffer: the rows of a read are valid until the next. */
  reader(): RowsReader {
    const buffer = new PieceBuffer();
    let reads = 0;
    return {
      length: this.count,
      read: (from, to) => {
        const p = this.readRange(from, to, buffer);
        const read = ++reads;
        return lazyTokenRows({ buffer: p.ids.buffer as SharedArrayBuffer, starts: p.starts, lengths: p.lengths }, () => reads === read);
      },
    };
  }

  /** Closes and removes the file; safe to call more than once. */
  close(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } finally {
      this.fd = null;
      this.pending = new Int32Array(0);
      this.used = 0;
      rmSync(this.file, { force: true });
    }
  }

  /** Ints [first, end) of the file (what is still pending included), parsed as `rows` records. */
  private readInts(first: number, end: number, rows: number, into?: PieceBuffer): TokenPiece {
    if (end > this.written) this.flush();
    const fd = this.open();
    const room = into?.take(end - first, rows);
    const ids = room?.ids ?? sharedArray(Int32Array, end - first);
    const bytes = Buffer.from(ids.buffer, 0, ids.byteLength);
    let got = 0;
    while (got < bytes.length) {
      const n = readSync(fd, bytes, got, bytes.length - got, first * 4 + got);
      if (n === 0) throw new Error(`${this.file}: cut short at int ${first + got / 4} of ${end}`);
      got += n;
    }
    const starts = room?.starts ?? sharedArray(Float64Array, rows);
    const lengths = room?.lengths ?? sharedArray(Int32Array, rows);
    const labels = room?.labels ?? sharedArray(Int32Array, rows);
    let at = 0;
    for (let i = 0; i < rows; i++) {
      if (at + 2 > ids.length) throw new Error(`${this.file}: row ${i} of ${rows} is missing`);
      labels[i] = ids[at];
      lengths[i] = ids[at + 1];
      starts[i] = at + 2;
      at += 2 + ids[at + 1];
    }
    if (at !== ids.length) throw new Error(`${this.file}: ${ids.length - at} ints after the last of ${rows} rows`);
    return { ids, starts, lengths, labels };
  }

  private open(): number {
    if (this.fd === null) throw new Error(`${this.file}: the token file is closed`);
    return this.fd;
  }
}

/**
 * Shared memory that piece after piece is read into, grown to the largest: an epoch over a big
 * table reads dozens of buckets, and a new buffer for each would leave the old ones to the garbage
 * collector, which frees them late (a shared buffer outside the JS heap weighs little in its
 * reckoning). A piece read into it is valid until the next read.
 */
export class PieceBuffer {
  private ids = sharedArray(Int32Array, 0);
  private starts = sharedArray(Float64Array, 0);
  private lengths = sharedArray(Int32Array, 0);
  private labels = sharedArray(Int32Array, 0);

  /** Room for `ints` ids and `rows` rows: views of exactly those lengths. */
  take(ints: number, rows: number): TokenPiece {
    if (ints > this.ids.length) this.ids = sharedArray(Int32Array, Math.ceil(ints * 1.1));
    if (rows > this.starts.length) {
      const n = Math.ceil(rows * 1.1);
      this.starts = sharedArray(Float64Array, n);
      this.lengths = sharedArray(Int32Array, n);
      this.labels = sharedArray(Int32Array, n);
    }
    return { ids: this.ids.subarray(0, ints), starts: this.starts.subarray(0, rows), lengths: this.lengths.subarray(0, rows), labels: this.labels.subarray(0, rows) };
  }
}

/** The training rows dealt among `count` files at random as they are appended (see the header): TrainPieces, one file each, read into one PieceBuffer (a piece is valid until the next read). */
export class TokenBuckets implements TrainPieces {
  private readonly files: TokenRowFile[] = [];
  private readonly rng: Rng;
  private readonly buffer = new PieceBuffer();

  constructor(dir: string, tag: string, count: number, seed: number) {
    if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`bucket count must be a whole number ≥ 1, got ${count}`);
    this.rng = mulberry32(seed ^ 0x0b0c_4e75);
    try {
      for (let k = 0; k < count; k++) this.files.push(new TokenRowFile(dir, `${tag}-bucket${k}`));
    } catch (err) {
      this.close();
      throw err;
    }
  }

  append(ids: Int32Array, label: number): void {
    const k = this.files.length === 1 ? 0 : Math.floor(this.rng() * this.files.length);
    this.files[k].append(ids, label);
  }

  /** Writes what every file was appended. */
  flush(): void {
    for (const f of this.files) f.flush();
  }

  get rows(): number {
    let n = 0;
    for (const f of this.files) n += f.size;
    return n;
  }

  get longest(): number {
    return Math.max(0, ...this.files.map((f) => f.longest));
  }

  get count(): number {
    return this.files.length;
  }

  rowsIn(k: number): number {
    return this.files[k].size;
  }

  read(k: number): TokenPiece {
    return this.files[k].readAll(this.buffer);
  }

  /** Closes and removes every file. */
  close(): void {
    for (const f of this.files) f.close();
  }
}
