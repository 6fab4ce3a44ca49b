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

/** readMany: texts at most this far apart in the file share a read, which is at most READ_SPAN long. */
const READ_GAP = 16 * 1024;
const READ_SPAN = 16 * 2 ** 20;

export class TextSpill {
  readonly file: string;
  private fd: number | null;
  private count = 0;
  /** bytes written so far (the next text's offset) */
  private bytes = 0;
  /** text i is bytes starts[i] … starts[i + 1] of the file (8 bytes a text: no length kept beside) */
  private starts = new Float64Array(1024);
  /** texts appended but not yet written, and their size */
  private pending: Buffer[] = [];
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
    const bytes = Buffer.from(text, "utf8");
    if (this.count + 1 === this.starts.length) this.starts = grown(this.starts, this.starts.length * 2);
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    this.starts[this.count + 1] = this.bytes + this.pendingBytes;
    if (this.pendingBytes >= 4 * 2 ** 20) this.flush();
    return this.count++;
  }

  /** Writes what was appended. */
  flush(): void {
    if (this.pendingBytes === 0) return;
    const fd = this.open();
    const all = Buffer.concat(this.pending, this.pendingBytes);
    let at = 0;
    while (at < all.length) at += writeSync(fd, all, at, all.length - at, this.bytes + at);
    this.bytes += all.length;
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Text i, read back from the file. */
  read(i: number): string {
    if (!(Number.isInteger(i) && i >= 0 && i < this.count)) throw new RangeError(`text ${i} is not in [0, ${this.count})`);
    if (this.starts[i + 1] > this.bytes) this.flush();
    const fd = this.open();
    const len = this.starts[i + 1] - this.starts[i];
    if (len > this.readBuf.length) this.readBuf = Buffer.alloc(Math.max(len, this.readBuf.length * 2));
    let got = 0;
    while (got < len) {
      const n = readSync(fd, this.readBuf, got, len - got, this.starts[i] + got);
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
    if (indices.some((i) => this.starts[i + 1] > this.bytes)) this.flush();
    const fd = this.open();
    const order = indices.map((_, k) => k).sort((a, b) => this.starts[indices[a]] - this.starts[indices[b]]);
    for (let k = 0; k < order.length; ) {
      const first = this.starts[indices[order[k]]];
      let end = this.starts[indices[order[k]] + 1];
      let j = k + 1;
      for (; j < order.length; j++) {
        const i = indices[order[j]];
        const e = Math.max(end, this.starts[i + 1]);
        if (this.starts[i] - end > READ_GAP || e - first > READ_SPAN) break;
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
        const at = this.starts[i] - first;
        out[order[k]] = this.readBuf.toString("utf8", at, at + this.starts[i + 1] - this.starts[i]);
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
        this.pending = [];
        this.pendingBytes = 0;
        rmSync(this.file, { force: true });
      }
    }
  }

  private open(): number {
    if (this.fd === null) throw new Error(`${this.file}: the text spill file is closed`);
    return this.fd;
  }
}
