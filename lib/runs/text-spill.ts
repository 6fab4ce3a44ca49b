import { closeSync, mkdirSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { spillFileName } from "../process/spill-files";
import { grown } from "../training/typed-arrays";

// A big table's texts (and keys), kept in a file under DATA_DIR instead of as JS strings while a
// run works (the way fastText re-reads its input file): the fetch appends each row's text as UTF-8
// (./row-table.ts), and reads them back when something asks for them, a block of rows at a time
// (readMany). The starter reads the training texts twice in blocks (word counts, then token ids),
// so they are never all in memory at once.
//
// The file is removed when the run ends (succeeded, failed or cancelled: run-training.ts closes
// it in a finally); a worker that was killed leaves its files behind, and the next worker started
// on this machine removes those of processes that no longer run (lib/process/spill-files.ts).

/** A text's start is kept for every MARK-th text (see TextSpill's lengths). */
const MARK = 64;

/** readMany: texts at most this far apart in the file share a read, which is at most READ_SPAN long. */
const READ_GAP = 16 * 1024;
const READ_SPAN = 16 * 2 ** 20;

/** Texts are written in batches of about this many bytes. */
const PENDING_BYTES = 4 * 2 ** 20;

export class TextSpill {
  readonly file: string;
  private fd: number | null;
  private count = 0;
  /** bytes written so far (the next text's offset) */
  private bytes = 0;
  /**
   * Where each text is, in about 4 bytes a text (at 7,000,000 rows, keys and texts, 110 MiB less
   * than a start each): its length, and the start of every MARK-th text; text i starts where the
   * last mark before it says, plus the lengths between.
   */
  private lengths = new Uint32Array(1024);
  private marks = new Float64Array(16);
  /** texts appended but not yet written (encoded or copied here as they come) */
  private pending = Buffer.allocUnsafe(PENDING_BYTES);
  private pendingBytes = 0;
  private readBuf = Buffer.alloc(64 * 1024);

  /** A new, empty spill file in `dir` (created if missing); `tag` names it (e.g. the run's id). */
  constructor(dir: string, tag: string) {
    mkdirSync(dir, { recursive: true });
    this.file = spillFileName(dir, "texts", tag);
    this.fd = openSync(this.file, "w+");
  }

  /** Texts appended so far. */
  get size(): number {
    return this.count;
  }

  /** Appends a text; returns its index. Written to the file in batches (flush, or once 4 MiB wait). */
  append(text: string): number {
    const length = Buffer.byteLength(text, "utf8");
    const i = this.place(length);
    if (length > PENDING_BYTES) this.writeNow(Buffer.from(text, "utf8"), 0, length);
    else this.pendingBytes += this.pending.write(text, this.pendingBytes, "utf8");
    return i;
  }

  /** Appends a text given as its UTF-8 bytes (from … to - 1 of buf); returns its index. */
  appendBytes(buf: Buffer, from: number, to: number): number {
    const length = to - from;
    const i = this.place(length);
    if (length > PENDING_BYTES) this.writeNow(buf, from, to);
    else this.pendingBytes += buf.copy(this.pending, this.pendingBytes, from, to);
    return i;
  }

  /** Writes what was appended. */
  flush(): void {
    if (this.pendingBytes === 0) return;
    const n = this.pendingBytes;
    this.pendingBytes = 0;
    this.writeNow(this.pending, 0, n);
  }

  /** Records the next text's length (and mark), making room for it in the pending bytes. */
  private place(length: number): number {
    if (this.pendingBytes + length > PENDING_BYTES) this.flush();
    if (this.count === this.lengths.length) this.lengths = grown(this.lengths, this.lengths.length * 2);
    if (this.count % MARK === 0) {
      if (this.count / MARK === this.marks.length) this.marks = grown(this.marks, this.marks.length * 2);
      this.marks[this.count / MARK] = this.bytes + this.pendingBytes;
    }
    this.lengths[this.count] = length;
    return this.count++;
  }

  /** Writes bytes from … to - 1 of buf at the file's end (nothing is pending: place flushed it for a text bigger than the batch). */
  private writeNow(buf: Buffer, from: number, to: number): void {
    const fd = this.open();
    let at = from;
    while (at < to) at += writeSync(fd, buf, at, to - at, this.bytes + at - from);
    this.bytes += to - from;
  }

  /** Text i, read back from the file. */
  read(i: number): string {
    if (!(Number.isInteger(i) && i >= 0 && i < this.count)) throw new RangeError(`text ${i} is not in [0, ${this.count})`);
    const start = this.start(i);
    const len = this.lengths[i];
    if (start + len > this.bytes) this.flush();
    const fd = this.open();
    if (len > this.readBuf.length) this.readBuf = Buffer.alloc(Math.max(len, this.readBuf.length * 2));
    let got = 0;
    while (got < len) {
      const n = readSync(fd, this.readBuf, got, len - got, start + got);
      if (n === 0) throw new Error(`${this.file}: text ${i} is cut short (${got} of ${len} bytes)`);
      got += n;
    }
    return this.readBuf.toString("utf8", 0, len);
  }

  /**
   * Texts `indices` (in that order), read with one read per run of nearby texts in the file rather
   * than one per text: texts that lie within READ_GAP bytes of each other (a block of a stable or
   * positional split's rows, in key order, with the other part's rows between them) come in one read
   * of at most READ_SPAN bytes.
   */
  readMany(indices: readonly number[]): string[] {
    const out: string[] = new Array(indices.length);
    for (const i of indices) if (!(Number.isInteger(i) && i >= 0 && i < this.count)) throw new RangeError(`text ${i} is not in [0, ${this.count})`);
    const starts = indices.map((i) => this.start(i));
    if (indices.some((i, k) => starts[k] + this.lengths[i] > this.bytes)) this.flush();
    const fd = this.open();
    const order = indices.map((_, k) => k).sort((a, b) => starts[a] - starts[b]);
    for (let k = 0; k < order.length; ) {
      const first = starts[order[k]];
      let end = first + this.lengths[indices[order[k]]];
      let j = k + 1;
      for (; j < order.length; j++) {
        const i = indices[order[j]];
        const e = Math.max(end, starts[order[j]] + this.lengths[i]);
        if (starts[order[j]] - end > READ_GAP || e - first > READ_SPAN) break;
        end = e;
      }
      const len = end - first;
      if (len > this.readBuf.length) this.readBuf = Buffer.alloc(Math.max(len, this.readBuf.length * 2));
      let got = 0;
      while (got < len) {
        const n = readSync(fd, this.readBuf, got, len - got, first + got);
        if (n === 0) throw new Error(`${this.file}: texts at ${first} are cut short (${got} of ${len} bytes)`);
        got += n;
      }
      for (; k < j; k++) {
        const i = indices[order[k]];
        const at = starts[order[k]] - first;
        out[order[k]] = this.readBuf.toString("utf8", at, at + this.lengths[i]);
      }
    }
    return out;
  }

  /** Closes and removes the file; reading afterwards throws. Safe to call more than once. */
  close(): void {
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } finally {
        this.fd = null;
        this.pendingBytes = 0;
        rmSync(this.file, { force: true });
      }
    }
  }

  /** Where text i starts in the file (its mark plus the lengths after it: at most MARK - 1 of them). */
  private start(i: number): number {
    let at = this.marks[Math.floor(i / MARK)];
    for (let k = i - (i % MARK); k < i; k++) at += this.lengths[k];
    return at;
  }

  private open(): number {
    if (this.fd === null) throw new Error(`${this.file}: the text spill file is closed`);
    return this.fd;
  }
}
