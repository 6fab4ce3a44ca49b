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
