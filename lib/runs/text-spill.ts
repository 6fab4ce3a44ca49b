import { closeSync, mkdirSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { spillFileName } from "../process/spill-files";

// A big table's texts, kept in a file under DATA_DIR instead of as JS strings while a run works
// (the way fastText re-reads its input file): the fetch appends each row's text as UTF-8, and a
// row's `text` reads it back (one positioned read) when something asks for it. The starter reads
// the training texts twice in blocks (word counts, then token ids), so they are never all in
// memory at once; the other kinds read them as before, a row at a time.
//
// The file is removed when the run ends (succeeded, failed or cancelled: run-training.ts closes
// it in a finally); a worker that was killed leaves its files behind, and the next worker started
// on this machine removes those of processes that no longer run (removeDeadSpills).

/** readMany: texts at most this far apart in the file share a read, which is at most READ_SPAN long. */
const READ_GAP = 16 * 1024;
const READ_SPAN = 16 * 2 ** 20;

export class TextSpill {
  readonly file: string;
  private fd: number | null;
  private count = 0;
  /** bytes written so far (the next text's offset) */
  private bytes = 0;
  private starts = new Float64Array(1024);
  private lengths = new Int32Array(1024);
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
    if (this.count === this.starts.length) this.grow();
    this.starts[this.count] = this.bytes + this.pendingBytes;
    this.lengths[this.count] = bytes.length;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
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
    if (this.starts[i] >= this.bytes) this.flush();
    const fd = this.open();
    const len = this.lengths[i];
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
    if (indices.some((i) => this.starts[i] + this.lengths[i] > this.bytes)) this.flush();
    const fd = this.open();
    const order = indices.map((_, k) => k).sort((a, b) => this.starts[indices[a]] - this.starts[indices[b]]);
    for (let k = 0; k < order.length; ) {
      const first = this.starts[indices[order[k]]];
      let end = first + this.lengths[indices[order[k]]];
      let j = k + 1;
      for (; j < order.length; j++) {
        const i = indices[order[j]];
        const e = Math.max(end, this.starts[i] + this.lengths[i]);
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

  private grow(): void {
    const starts = new Float64Array(this.starts.length * 2);
    starts.set(this.starts);
    const lengths = new Int32Array(this.lengths.length * 2);
    lengths.set(this.lengths);
    this.starts = starts;
    this.lengths = lengths;
  }
}

/**
 * A fetched row whose text lives in a spill file: `text` reads it back on each access (so keep
 * the string only as long as it is needed); assigning `text` replaces it (releasing a row's text
 * sets it to "").
 */
export class SpilledRow {
  private replaced: string | undefined = undefined;
  constructor(
    public key: string,
    public label: string,
    private readonly spill: TextSpill,
    private readonly index: number,
  ) {}
  get text(): string {
    return this.replaced ?? this.spill.read(this.index);
  }
  set text(value: string) {
    this.replaced = value;
  }
  /** Where the text is when it has not been replaced (textsOf reads those together). */
  get spilled(): { spill: TextSpill; index: number } | null {
    return this.replaced === undefined ? { spill: this.spill, index: this.index } : null;
  }
}

/** Rows `from` … `to` - 1's texts: what rows[i].text gives, with the spilled ones of each file read together (TextSpill.readMany). */
export function textsOf(rows: readonly { text: string }[], from: number, to: number): string[] {
  const out: string[] = new Array(to - from);
  const bySpill = new Map<TextSpill, { at: number[]; indices: number[] }>();
  for (let i = from; i < to; i++) {
    const r = rows[i];
    const where = r instanceof SpilledRow ? r.spilled : null;
    if (!where) {
      out[i - from] = r.text;
      continue;
    }
    let group = bySpill.get(where.spill);
    if (!group) bySpill.set(where.spill, (group = { at: [], indices: [] }));
    group.at.push(i - from);
    group.indices.push(where.index);
  }
  for (const [spill, { at, indices }] of bySpill) {
    const texts = spill.readMany(indices);
    for (let k = 0; k < at.length; k++) out[at[k]] = texts[k];
  }
  return out;
}
