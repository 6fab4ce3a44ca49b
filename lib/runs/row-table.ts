import { hash64, KeyHashes } from "../rows/key-hash";
import { scopedKey, type TableKey } from "../rows/table-key";
import { grown } from "../training/typed-arrays";
import type { TextSpill } from "./text-spill";

// A run's fetched rows as columns rather than an object per row (about 120 bytes a row with its
// key string: 0.8 GB at 7,000,000 rows): each row's label as an index into the distinct labels, its
// key's 64-bit hash (what the split and the versions' records of trained rows use), its key and its
// text as strings in memory or, for a big table, in spill files (./text-spill.ts) read back when asked
// for. At 7,000,000 rows that is 4 + 8 bytes a row, and 8 more per spilled column.
//
// RowSet: the rows of a table that a run trains or tests on (row numbers into it, in order), which
// the kinds read a block of texts at a time.

/** A column of strings, in memory or in a spill file. */
class StringColumn {
  private readonly list: string[] | null;
  constructor(private readonly spill: TextSpill | null) {
    this.list = spill ? null : [];
  }
  add(s: string): void {
    if (this.list) this.list.push(s);
    else this.spill!.append(s);
  }
  /** Adds the string whose UTF-8 bytes are from … to - 1 of buf (copied as they are into a spill file). */
  addBytes(buf: Buffer, from: number, to: number): void {
    if (this.list) this.list.push(buf.toString("utf8", from, to));
    else this.spill!.appendBytes(buf, from, to);
  }
  get(i: number): string {
    return this.list ? this.list[i] : this.spill!.read(i);
  }
  many(rows: ArrayLike<number>): string[] {
    if (this.list) return Array.from(rows, (i) => this.list![i]);
    return this.spill!.readMany(Array.from(rows));
  }
  /** Forgets row i's string (in memory; a spilled one is in its file and costs no memory). */
  drop(i: number): void {
    if (this.list) this.list[i] = "";
  }
  flush(): void {
    this.spill?.flush();
  }
  get spilled(): boolean {
    return this.spill !== null;
  }
}

export interface LabelledRow {
  /** the row's key as text (lib/rows/table-key.ts) */
  key: string;
  label: string;
  text: string;
}

export class RowTable {
  /** the distinct labels, in the order first read */
  readonly labelNames: string[] = [];
  private readonly labelIds = new Map<string, number>();
  private labels = new Int32Array(1024);
  /** hi, lo of each row's scoped key's hash (lib/rows/key-hash.ts) */
  private hashWords = new Uint32Array(2048);
  private readonly keys: StringColumn;
  private readonly texts: StringColumn;
  private count = 0;
  /** texts dropped (releaseTexts) read as "" */
  private released: Uint8Array | null = null;

  /** `spill`: files for the keys and the texts of a big table, or null to keep them in memory. */
  constructor(
    readonly tableKey: TableKey,
    spill: { keys: TextSpill; texts: TextSpill } | null = null,
  ) {
    this.keys = new StringColumn(spill?.keys ?? null);
    this.texts = new StringColumn(spill?.texts ?? null);
  }

  /** A table of these rows (in memory). */
  static of(key: TableKey, rows: readonly LabelledRow[]): RowTable {
    const t = new RowTable(key);
    for (const r of rows) t.add(r.key, r.label, r.text);
    return t;
  }

  add(key: string, label: string, text: string): void {
    this.addKeyLabel(key, label);
    this.texts.add(text);
  }

  /** Adds a row whose text is given as its UTF-8 bytes (from … to - 1 of buf): no string is made for a spilled one. */
  addBytes(key: string, label: string, text: Buffer, from: number, to: number): void {
    this.addKeyLabel(key, label);
    this.texts.addBytes(text, from, to);
  }

  /** The row's label, key hash and key (its text is added next: count is its index). */
  private addKeyLabel(key: string, label: string): void {
    const n = this.count;
    if (n === this.labels.length) {
      this.labels = grown(this.labels, n * 2);
      this.hashWords = grown(this.hashWords, n * 4);
    }
    let id = this.labelIds.get(label);
    if (id === undefined) {
      id = this.labelNames.length;
      this.labelIds.set(label, id);
      this.labelNames.push(label);
    }
    this.labels[n] = id;
    const { hi, lo } = hash64(scopedKey(this.tableKey, key));
    this.hashWords[2 * n] = hi;
    this.hashWords[2 * n + 1] = lo;
    this.keys.add(key);
    this.count++;
  }

  /** Writes what the spill files hold back. */
  flush(): void {
    this.keys.flush();
    this.texts.flush();
  }

  get length(): number {
    return this.count;
  }

  /** Whether the texts are in a file. */
  get textsSpilled(): boolean {
    return this.texts.spilled;
  }

  label(i: number): string {
    return this.labelNames[this.labels[i]];
  }

  /** Row i's label as an index into labelNames. */
  labelId(i: number): number {
    return this.labels[i];
  }

  key(i: number): string {
    return this.keys.get(i);
  }

  text(i: number): string {
    return this.released?.[i] ? "" : this.texts.get(i);
  }

  /** The keys of `rows`, in that order (a spilled column's read together). */
  keysOf(rows: ArrayLike<number>): string[] {
    return this.keys.many(rows);
  }

  /** The texts of `rows`, in that order ("" for a released one). */
  textsOf(rows: ArrayLike<number>): string[] {
    const out = this.texts.many(rows);
    if (this.released) for (let k = 0; k < out.length; k++) if (this.released[rows[k]]) out[k] = "";
    return out;
  }

  /** Rows `rows` read "" from now on; their texts are freed when in memory. */
  releaseTexts(rows: ArrayLike<number>): void {
    this.released ??= new Uint8Array(this.count);
    for (let k = 0; k < rows.length; k++) {
      this.released[rows[k]] = 1;
      this.texts.drop(rows[k]);
    }
  }

  /** Every row's key hash (lib/rows/key-hash.ts). */
  hashes(): KeyHashes {
    return KeyHashes.fromWords(this.hashWords.subarray(0, 2 * this.count));
  }

  /** Row i as one object. */
  row(i: number): LabelledRow {
    return { key: this.key(i), label: this.label(i), text: this.text(i) };
  }

  /** Every row as an object (for a small table: tests, previews). */
  toRows(): LabelledRow[] {
    return Array.from({ length: this.count }, (_, i) => this.row(i));
  }

  /** How many rows carry each label, in labelNames order. */
  labelCounts(): Map<string, number> {
    const counts = new Array<number>(this.labelNames.length).fill(0);
    for (let i = 0; i < this.count; i++) counts[this.labels[i]]++;
    return new Map(this.labelNames.map((l, k) => [l, counts[k]]));
  }
}

/** Rows of a table (row numbers into it, in this set's order): a run's training or test rows. */
export class RowSet {
  constructor(
    readonly table: RowTable,
    readonly rows: Int32Array,
  ) {}

  /** Every row of `table`. */
  static all(table: RowTable): RowSet {
    return new RowSet(table, Int32Array.from({ length: table.length }, (_, i) => i));
  }

  get length(): number {
    return this.rows.length;
  }

  /** Rows from … to - 1 of this set. */
  slice(from: number, to: number): RowSet {
    return new RowSet(this.table, this.rows.subarray(from, to));
  }

  label(i: number): string {
    return this.table.label(this.rows[i]);
  }

  /** Every row's label, in order. */
  labels(): string[] {
    return Array.from(this.rows, (r) => this.table.label(r));
  }

  key(i: number): string {
    return this.table.key(this.rows[i]);
  }

  /** Every row's key, in order. */
  keys(): string[] {
    return this.table.keysOf(this.rows);
  }

  text(i: number): string {
    return this.table.text(this.rows[i]);
  }

  /** The texts of rows from … to - 1. */
  texts(from: number, to: number): string[] {
    return this.table.textsOf(this.rows.subarray(from, to));
  }

  /** The texts of rows `at` (indices into this set). */
  textsAt(at: ArrayLike<number>): string[] {
    return this.table.textsOf(Array.from(at, (k) => this.rows[k]));
  }

  /** Rows from … to - 1 (all by default) read "" from now on (RowTable.releaseTexts). */
  releaseTexts(from = 0, to = this.rows.length): void {
    this.table.releaseTexts(this.rows.subarray(from, to));
  }

  /** Each row's label as an index into `labels` (the model's order); -1 for a label not in it. */
  labelIndices(labels: readonly string[]): Int32Array {
    const at = new Map(labels.map((l, k) => [l, k]));
    const map = Int32Array.from(this.table.labelNames, (l) => at.get(l) ?? -1);
    return Int32Array.from(this.rows, (r) => map[this.table.labelId(r)]);
  }
}
