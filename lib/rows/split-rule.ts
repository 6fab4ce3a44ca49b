import { stratifiedSplit } from "../training/split";
import type { SplitKind } from "../validations/run-request";
import type { KeyHashes } from "./key-hash";

// The three ways a run cuts its rows into train and test (the request's `split`):
// - "stable" (default): by a hash of each row's key, so a test row stays a test row however the
//   table grows and whatever the seed; two runs at the same p_of_train agree on every shared row.
// - "positional": the original system's: the first p_of_train of the rows in key order train.
// - "random": a seeded shuffle, stratified by label (a new seed gives a new split).

export type { SplitKind } from "../validations/run-request";

export interface SplitIndices {
  train: Int32Array;
  test: Int32Array;
}

/** Indices of the n training and test rows, in order; `labelOf(i)` and `hashes` are the rows' (in key order). */
export function splitIndices(kind: SplitKind, labelOf: (i: number) => string, n: number, hashes: KeyHashes, pOfTrain: number, seed: number): SplitIndices {
  if (kind === "random") {
    const r = stratifiedSplit(Array.from({ length: n }, (_, i) => i), labelOf, pOfTrain, seed);
    return { train: Int32Array.from(r.train), test: Int32Array.from(r.test) };
  }
  if (kind === "positional") {
    const all = Int32Array.from({ length: n }, (_, i) => i);
    const nTrain = Math.round(n * pOfTrain);
    return { train: all.slice(0, nTrain), test: all.slice(nTrain) };
  }
  let nTrain = 0;
  for (let i = 0; i < n; i++) if (hashes.unit(i) < pOfTrain) nTrain++;
  const train = new Int32Array(nTrain);
  const test = new Int32Array(n - nTrain);
  for (let i = 0, a = 0, b = 0; i < n; i++) {
    if (hashes.unit(i) < pOfTrain) train[a++] = i;
    else test[b++] = i;
  }
  return { train, test };
}
