// PostgreSQL's COPY text format (`COPY … TO STDOUT`), read as bytes: a row is its fields separated
// by tabs and ended by a newline, NULL is `\N`, and a backslash escapes a tab, newline, carriage
// return, backslash and a few more (\b \f \v, \NNN octal, \xHH hex). A raw tab or newline is never
// inside a field, so rows and fields are found by searching bytes (Buffer.indexOf), and a field
// without a backslash is used where it lies, with no JS string made for it: a run's fetch copies
// each text's UTF-8 bytes straight into its spill file (lib/runs/fetch-rows.ts).
//
// The stream's chunks fall anywhere, so a row cut by a chunk's end is carried over and read whole
// when its newline arrives.

const TAB = 0x09;
const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;

const SIMPLE_ESCAPES: Record<number, number> = { 0x62: 0x08, 0x66: 0x0c, 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x76: 0x0b };

const isOctal = (b: number) => b >= 0x30 && b <= 0x37;
const hexValue = (b: number) => (b >= 0x30 && b <= 0x39 ? b - 0x30 : b >= 0x61 && b <= 0x66 ? b - 0x57 : b >= 0x41 && b <= 0x46 ? b - 0x37 : -1);

/** One row, valid until the next is read: field k is bytes start(k) … end(k) - 1 of buf(k), unescaped. */
export class CopyRow {
  private readonly bufs: Buffer[];
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly nulls: Uint8Array;
  /** where fields with escapes are unescaped (grown as needed) */
  private scratch = Buffer.alloc(4096);
  private scratchUsed = 0;
  private slashIn: Buffer | null = null;
  private slashAt = 0;

  constructor(readonly columns: number) {
    this.bufs = new Array<Buffer>(columns);
    this.starts = new Int32Array(columns);
    this.ends = new Int32Array(columns);
    this.nulls = new Uint8Array(columns);
  }

  isNull(k: number): boolean {
    return this.nulls[k] === 1;
  }

  buf(k: number): Buffer {
    return this.bufs[k];
  }

  start(k: number): number {
    return this.starts[k];
  }

  end(k: number): number {
    return this.ends[k];
  }

  /** Field k as a string (null for NULL). */
  text(k: number): string | null {
    return this.nulls[k] ? null : this.bufs[k].toString("utf8", this.starts[k], this.ends[k]);
  }

  /** Splits bytes from … to - 1 of `buf` (one row, its newline excluded) into fields. */
  read(buf: Buffer, from: number, to: number): void {
    this.scratchUsed = 0;
    const last = this.columns - 1;
    let at = from;
    for (let k = 0; k < last; k++) {
      const tab = buf.indexOf(TAB, at);
      if (tab === -1 || tab >= to) throw new Error(`COPY row has ${k + 1} fields, expected ${this.columns}`);
      this.field(k, buf, at, tab);
      at = tab + 1;
    }
    const extra = buf.indexOf(TAB, at); // at most into the next row
    if (extra !== -1 && extra < to) throw new Error(`COPY row has more than ${this.columns} fields`);
    this.field(last, buf, at, to);
  }

  /** Forgets where the next backslash was found (the buffer read next holds other bytes than before: another chunk is another Buffer). */
  forget(): void {
    this.slashIn = null;
  }

  /**
   * The first backslash at or after `start` in buf (buf.length when none): found once and reused
   * for the fields after it, so that rows without any cost one search per chunk, not one per field
   * to the chunk's end.
   */
  private nextBackslash(buf: Buffer, start: number): number {
    if (this.slashIn !== buf || this.slashAt < start) {
      const at = buf.indexOf(BACKSLASH, start);
      this.slashIn = buf;
      this.slashAt = at === -1 ? buf.length : at;
    }
    return this.slashAt;
  }

  private field(k: number, buf: Buffer, start: number, end: number): void {
    this.nulls[k] = end - start === 2 && buf[start] === BACKSLASH && buf[start + 1] === 0x4e /* N */ ? 1 : 0;
    if (this.nulls[k] || this.nextBackslash(buf, start) >= end) {
      this.bufs[k] = buf;
      this.starts[k] = start;
      this.ends[k] = end;
      return;
    }
    // an escaped field: unescaped into the scratch buffer (never longer than the field)
    if (this.scratchUsed + (end - start) > this.scratch.length) {
      const bigger = Buffer.alloc(Math.max(2 * this.scratch.length, this.scratchUsed + end - start));
      this.scratch.copy(bigger, 0, 0, this.scratchUsed);
      for (let j = 0; j < k; j++) if (this.bufs[j] === this.scratch) this.bufs[j] = bigger;
      this.scratch = bigger;
    }
    const out = this.scratch;
    let w = this.scratchUsed;
    this.bufs[k] = out;
    this.starts[k] = w;
    let i = start;
    while (i < end) {
      const b = buf[i++];
      if (b !== BACKSLASH) {
        out[w++] = b;
        continue;
      }
      if (i === end) throw new Error("COPY field ends with a lone backslash");
      const c = buf[i++];
      if (isOctal(c)) {
        let v = c - 0x30;
        for (let n = 0; n < 2 && i < end && isOctal(buf[i]); n++) v = v * 8 + (buf[i++] - 0x30);
        out[w++] = v & 0xff;
      } else if (c === 0x78 /* x */ && i < end && hexValue(buf[i]) >= 0) {
        let v = hexValue(buf[i++]);
        if (i < end && hexValue(buf[i]) >= 0) v = v * 16 + hexValue(buf[i++]);
        out[w++] = v;
      } else out[w++] = SIMPLE_ESCAPES[c] ?? c; // any other escaped character stands for itself
    }
    this.ends[k] = w;
    this.scratchUsed = w;
  }
}

/** Reads the rows of a COPY text stream fed to it chunk by chunk. */
export class CopyTextReader {
  readonly row: CopyRow;
  /** a row cut by the end of a chunk, waiting for the rest */
  private carry = Buffer.alloc(64 * 1024);
  private carried = 0;

  constructor(columns: number) {
    if (!(Number.isInteger(columns) && columns > 0)) throw new RangeError(`columns must be a whole number > 0, got ${columns}`);
    this.row = new CopyRow(columns);
  }

  /** Reads the complete rows in `chunk` (with what an earlier chunk left), calling onRow for each (this.row holds it). */
  feed(chunk: Buffer, onRow: (row: CopyRow) => void): void {
    let at = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, at);
      if (newline === -1) {
        this.keep(chunk, at, chunk.length);
        return;
      }
      if (this.carried > 0) {
        this.keep(chunk, at, newline);
        const n = this.carried;
        this.carried = 0;
        this.row.forget(); // the carry buffer holds other bytes than when last read
        this.row.read(this.carry, 0, n);
      } else this.row.read(chunk, at, newline);
      onRow(this.row);
      at = newline + 1;
    }
  }

  /** The end of the stream: throws when it stopped inside a row. */
  end(): void {
    if (this.carried > 0) throw new Error(`COPY data ended inside a row (${this.carried} bytes without a newline)`);
  }

  private keep(chunk: Buffer, from: number, to: number): void {
    const n = to - from;
    if (n === 0) return;
    if (this.carried + n > this.carry.length) {
      const bigger = Buffer.alloc(Math.max(2 * this.carry.length, this.carried + n));
      this.carry.copy(bigger, 0, 0, this.carried);
      this.carry = bigger;
    }
    chunk.copy(this.carry, this.carried, from, to);
    this.carried += n;
  }
}

const isAsciiSpace = (b: number) => b === 0x20 || (b >= 0x09 && b <= 0x0d);

/** Whether UTF-8 bytes from … to - 1 of buf are empty or whitespace only (as String.prototype.trim sees it). */
export function blankUtf8(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const b = buf[i];
    if (b >= 0x80) return buf.toString("utf8", i, to).trim() === ""; // Unicode spaces: asked of the string
    if (!isAsciiSpace(b)) return false;
  }
  return true;
}
