// Seeded, stratified train/test split.
import { mulberry32, shuffleInPlace } from "./rng";

/**
 * Splits rows so that every label keeps (about) the same train share `pOfTrain`.
 * Each label's rows are shuffled, then the first round(n·p) go to train; a label with ≥2 rows
 * keeps at least one row on each side when 0 < p < 1. Labels are visited in sorted order and
 * the final train and test lists are shuffled, so the result depends only on (rows, seed).
 */
export function stratifiedSplit<T>(
  rows: T[],
  labelOf: (r: T) => string,
  pOfTrain: number,
  seed: number,
): { train: T[]; test: T[] } {
  if (!(pOfTrain >= 0 && pOfTrain <= 1)) throw new RangeError(`pOfTrain must be in [0, 1], got ${pOfTrain}`);
  const rng = mulberry32(seed);
  const byLabel = new Map<string, T[]>();
  for (const r of rows) {
    const l = labelOf(r);
    let g = byLabel.get(l);
    if (!g) byLabel.set(l, (g = []));
    g.push(r);
  }
  const labels = [...byLabel.keys()].sort();
  const train: T[] = [];
  const test: T[] = [];
  for (const l of labels) {
    const g = shuffleInPlace(byLabel.get(l)!.slice(), rng) as T[];
    const n = g.length;
    let nTrain = Math.round(n * pOfTrain);
    if (n >= 2 && pOfTrain > 0 && pOfTrain < 1) nTrain = Math.min(n - 1, Math.max(1, nTrain));
    for (let i = 0; i < n; i++) (i < nTrain ? train : test).push(g[i]);
  }
  shuffleInPlace(train, rng);
  shuffleInPlace(test, rng);
  return { train, test };
}
