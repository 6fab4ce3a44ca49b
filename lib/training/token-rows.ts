// Whether a list of token rows (one Int32Array of ids per text) is one flat SharedArrayBuffer seen
// row by row, as TokenizePool.encode returns it (lib/tokenizers/token-packer.ts): then worker
// threads can be handed the buffer and where the rows are instead of copies of the rows.
// sharedTokenBuffer wants the rows contiguous and in order (encode's rows, or a run of them, such as
// the training or the test rows); sharedTokenViews takes any views of one buffer, in any order (a
// shuffled or held-out subset, as lib/kinds/starter/calibrate.ts makes on a big table).

export interface SharedTokenRows {
  buffer: SharedArrayBuffer;
  /** row i is new Int32Array(buffer)[offsets[i] .. offsets[i + 1]) (in ids, not bytes); length rows + 1 */
  offsets: Float64Array;
}

export interface SharedTokenViews {
  buffer: SharedArrayBuffer;
  /** row i is new Int32Array(buffer)[starts[i] .. starts[i] + lengths[i]) (in ids, not bytes) */
  starts: Float64Array;
  lengths: Int32Array;
}

/** Where each row lies in the one SharedArrayBuffer they all view; null when they are not all Int32Array views of one (or there are no rows). */
export function sharedTokenViews(rows: Int32Array[]): SharedTokenViews | null {
  if (rows.length === 0) return null;
  const table = tables.get(rows);
  if (table) return table;
  const buffer = rows[0].buffer;
  if (!(buffer instanceof SharedArrayBuffer)) return null;
  const starts = new Float64Array(rows.length);
  const lengths = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!(r instanceof Int32Array) || r.buffer !== buffer) return null;
    starts[i] = r.byteOffset / Int32Array.BYTES_PER_ELEMENT;
    lengths[i] = r.length;
  }
  return { buffer, starts, lengths };
}

/**
 * The shared buffer behind `rows` and where each row starts, when every row is an Int32Array view
 * of the same SharedArrayBuffer and each row starts where the previous one ends (any contiguous
 * run of encode's rows, e.g. rows.slice(0, k)); null otherwise (plain arrays, several buffers, rows
 * out of order or with gaps, no rows).
 */
export function sharedTokenBuffer(rows: Int32Array[]): SharedTokenRows | null {
  const views = sharedTokenViews(rows);
  if (!views) return null;
  const offsets = new Float64Array(rows.length + 1);
  offsets[0] = views.starts[0];
  for (let i = 0; i < rows.length; i++) {
    if (views.starts[i] !== offsets[i]) return null;
    offsets[i + 1] = offsets[i] + views.lengths[i];
  }
  return { buffer: views.buffer, offsets };
}

// --- rows without an object per row ----------------------------------------------------------------
//
// A big table's rows as views would cost an object each (about 106 bytes: 74 MB for 700,000 rows,
// as much as their texts' keys). lazyTokenRows gives an Int32Array[] that holds only the table
// (8 + 4 bytes a row) and makes row i's view when it is read: loops that index it, iterate it, slice
// it or map it see ordinary views; sharedTokenViews (hogwild.ts's way in) gets the table itself.
// Read-only; it cannot be posted to another thread (nothing posts rows: threads get the table).

const tables = new WeakMap<object, SharedTokenViews>();

/**
 * The rows of a table as an array whose entries are views made when read (see above). `current`:
 * for rows in memory that is reused (a file's reader), whether they are still there; reading a row
 * of a block that a later read overwrote throws instead of giving another row's ids.
 */
export function lazyTokenRows(views: SharedTokenViews, current?: () => boolean): Int32Array[] {
  const { buffer, starts, lengths } = views;
  if (starts.length !== lengths.length) throw new Error(`lazyTokenRows: ${starts.length} starts but ${lengths.length} lengths`);
  const n = starts.length;
  const all = new Int32Array(buffer);
  const row = (i: number) => {
    if (current && !current()) throw new Error("token rows of an earlier read of a file: a later read reused their memory (use a block before reading the next)");
    return all.subarray(starts[i], starts[i] + lengths[i]);
  };
  /** the row index a property key names, or -1 */
  const index = (p: string | symbol): number => {
    if (typeof p !== "string" || p.length === 0) return -1;
    const c = p.charCodeAt(0);
    if (c < 48 || c > 57) return -1;
    const i = Number(p);
    return Number.isSafeInteger(i) && i < n && String(i) === p ? i : -1;
  };
  const rows = new Proxy([] as Int32Array[], {
    get(target, p, receiver) {
      const i = index(p);
      if (i >= 0) return row(i);
      if (p === "length") return n;
      return Reflect.get(target, p, receiver);
    },
    has: (target, p) => index(p) >= 0 || Reflect.has(target, p),
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
    ownKeys: (target) => [...Array.from({ length: n }, (_, i) => String(i)), ...Reflect.ownKeys(target)],
    getOwnPropertyDescriptor(target, p) {
      const i = index(p);
      if (i >= 0) return { value: row(i), writable: false, enumerable: true, configurable: true };
      if (p === "length") return { value: n, writable: true, enumerable: false, configurable: false };
      return Reflect.getOwnPropertyDescriptor(target, p);
    },
  });
  tables.set(rows, views);
  return rows;
}

/** Rows from … to - 1 of `rows`: without an object per row when `rows` has none (lazyTokenRows), else a slice. */
export function tokenRowsRange(rows: Int32Array[], from: number, to: number): Int32Array[] {
  const t = tables.get(rows);
  if (!t) return rows.slice(from, to);
  return lazyTokenRows({ buffer: t.buffer, starts: t.starts.subarray(from, to), lengths: t.lengths.subarray(from, to) });
}

/** Rows `picked` of `rows`, in that order: without an object per row when `rows` has none (lazyTokenRows), else a plain array. */
export function pickTokenRows(rows: Int32Array[], picked: ArrayLike<number>): Int32Array[] {
  const t = tables.get(rows);
  if (!t) return Array.from(picked, (i) => rows[i]);
  const starts = new Float64Array(picked.length);
  const lengths = new Int32Array(picked.length);
  for (let k = 0; k < picked.length; k++) {
    const i = picked[k];
    if (!(Number.isInteger(i) && i >= 0 && i < t.starts.length)) throw new RangeError(`row ${i} is not in [0, ${t.starts.length})`);
    starts[k] = t.starts[i];
    lengths[k] = t.lengths[i];
  }
  return lazyTokenRows({ buffer: t.buffer, starts, lengths });
}

// --- rows read a range at a time -------------------------------------------------------------------

/** Rows read a range at a time: rows in memory, or rows in a file (token-spill.ts TokenRowFile) that are read back as asked for. */
export interface RowsReader {
  readonly length: number;
  /** rows from … to - 1; from a file, valid until the next read (its memory is reused: reading a row of an earlier read throws) */
  read(from: number, to: number): Int32Array[];
}

/** `rows` as a RowsReader (a reader is given back as it is). */
export function rowsReader(rows: Int32Array[] | RowsReader): RowsReader {
  if (!Array.isArray(rows)) return rows as RowsReader;
  return { length: rows.length, read: (from, to) => tokenRowsRange(rows, from, to) };
}
