// Whether a list of token rows (one Int32Array of ids per text) is one flat SharedArrayBuffer seen
// row by row, as TokenizePool.encode returns it (lib/tokenizers/token-packer.ts): then worker
// threads can be handed the buffer and the rows' offsets instead of copies of the rows.

export interface SharedTokenRows {
  buffer: SharedArrayBuffer;
  /** row i is new Int32Array(buffer)[offsets[i] .. offsets[i + 1]) (in ids, not bytes); length rows + 1 */
  offsets: Float64Array;
}

/**
 * The shared buffer behind `rows` and where each row starts, when every row is an Int32Array view
 * of the same SharedArrayBuffer and each row starts where the previous one ends (any contiguous
 * run of encode's rows, e.g. rows.slice(0, k)); null otherwise (plain arrays, several buffers, rows
 * out of order or with gaps, no rows).
 */
export function sharedTokenBuffer(rows: Int32Array[]): SharedTokenRows | null {
  if (rows.length === 0) return null;
  const buffer = rows[0].buffer;
  if (!(buffer instanceof SharedArrayBuffer)) return null;
  const offsets = new Float64Array(rows.length + 1);
  offsets[0] = rows[0].byteOffset / Int32Array.BYTES_PER_ELEMENT;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!(r instanceof Int32Array) || r.buffer !== buffer || r.byteOffset / Int32Array.BYTES_PER_ELEMENT !== offsets[i]) return null;
    offsets[i + 1] = offsets[i] + r.length;
  }
  return { buffer, offsets };
}
