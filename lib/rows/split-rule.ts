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
  train: number[];
  test: number[];
}

/** Indices of the training and test rows; `labels[i]` and `hashes` are the rows' (in key order). */
export function splitIndices(kind: SplitKind, labels: string[], hashes: KeyHashes, pOfTrain: number, seed: number): SplitIndices {
  const n = labels.length;
  const all = Array.from({ length: n }, (_, i) => i);
  if (kind === "random") return stratifiedSplit(all, (i) => labels[i], pOfTrain, seed);
  if (kind === "positional") {
    const nTrain = Math.round(n * pOfTrain);
    return { train: all.slice(0, nTrain), test: all.slice(nTrain) };
  }
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < n; i++) (hashes.unit(i) < pOfTrain ? train : test).push(i);
  return { train, test };
}
