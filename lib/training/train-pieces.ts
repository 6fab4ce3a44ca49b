// The training rows as the loops read them: in pieces, each piece a table of token ids with its
// rows' labels in shared memory (so that hogwild.ts's threads can be handed it without a copy). Rows
// held in memory are one piece; a big table's rows spilled to files (token-spill.ts) are many, read
// back one at a time. Each epoch takes the pieces in a random order (when there are several) and a
// piece's rows in a random order, both drawn from the loop's seeded generator: one piece gives the
// same draws, and so the same weights, as a shuffle of all the rows.
import { permutation, type Rng } from "./rng";
import { sharedTokenViews } from "./token-rows";
import { sharedArray } from "./typed-arrays";

/** Rows of token ids in shared memory: row i is ids[starts[i] … starts[i] + lengths[i]), labelled labels[i]. */
export interface TokenPiece {
  ids: Int32Array;
  starts: Float64Array;
  lengths: Int32Array;
  labels: Int32Array;
}

export interface TrainPieces {
  /** rows in all pieces */
  readonly rows: number;
  /** the longest row's ids */
  readonly longest: number;
  readonly count: number;
  /** rows in piece k */
  rowsIn(k: number): number;
  /** piece k (read back from its file when spilled, valid until the next read; a piece in memory is given as it is) */
  read(k: number): TokenPiece;
}

/** The training rows as one shared buffer of ids with each row's start and length: in place when they already are views of one (token-rows.ts), else packed. */
export function sharedRows(rows: Int32Array[]): { ids: Int32Array; starts: Float64Array; lengths: Int32Array } {
  const views = sharedTokenViews(rows);
  if (views) return { ids: new Int32Array(views.buffer), starts: views.starts, lengths: views.lengths };
  const n = rows.length;
  const starts = new Float64Array(n);
  const lengths = new Int32Array(n);
  let total = 0;
  for (const r of rows) total += r.length;
  const ids = sharedArray(Int32Array, total);
  for (let i = 0, at = 0; i < n; i++) {
    ids.set(rows[i], at);
    starts[i] = at;
    lengths[i] = rows[i].length;
    at += rows[i].length;
  }
  return { ids, starts, lengths };
}

/** A shared copy of `values`. */
export function sharedCopy<T extends Int32Array | Float64Array>(Ctor: { new (buffer: SharedArrayBuffer): T; readonly BYTES_PER_ELEMENT: number }, values: ArrayLike<number>): T {
  const a = sharedArray(Ctor, values.length);
  for (let i = 0; i < values.length; i++) a[i] = values[i];
  return a;
}

/** Rows in memory as one piece (its tables copied into shared memory once). */
export function inMemoryPieces(rows: Int32Array[], labels: ArrayLike<number>): TrainPieces {
  if (rows.length !== labels.length) throw new Error(`${rows.length} rows but ${labels.length} labels`);
  const shared = sharedRows(rows);
  const piece: TokenPiece = { ids: shared.ids, starts: sharedCopy(Float64Array, shared.starts), lengths: sharedCopy(Int32Array, shared.lengths), labels: sharedCopy(Int32Array, labels) };
  let longest = 0;
  for (let i = 0; i < piece.lengths.length; i++) longest = Math.max(longest, piece.lengths[i]);
  return { rows: rows.length, longest, count: 1, rowsIn: () => rows.length, read: () => piece };
}

/** The steps of one epoch: each piece's rows in batches of `batchSize` (a piece's last batch may be short). */
export function stepsPerEpochOf(pieces: TrainPieces, batchSize: number): number {
  let steps = 0;
  for (let k = 0; k < pieces.count; k++) steps += Math.ceil(pieces.rowsIn(k) / batchSize);
  return steps;
}

/** The order an epoch reads the pieces in: drawn only when there are several (one piece draws nothing, see the header). */
export function pieceOrder(pieces: TrainPieces, rng: Rng): ArrayLike<number> {
  return pieces.count === 1 ? [0] : permutation(pieces.count, rng);
}
