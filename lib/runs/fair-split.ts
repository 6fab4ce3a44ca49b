import { KeyHashSet } from "../rows/key-hash";
import type { VersionRows } from "../rows/version-rows";
import { splitIndices, type SplitKind } from "../rows/split-rule";
import { RowSet, type RowTable } from "./row-table";
import { RunFailure } from "./run-context";
import type { RunSplit } from "./types";

// A run's rows for a fair comparison: the table's rows are split by the request's rule; test rows
// that the serving version trained on are set aside, so old and new are scored on rows neither
// trained on; with rows "new", only the training rows the serving version has not trained on
// train. The candidate's record (trained rows, and seen rows: trained or tested) is its own joined
// with its parent's when it continued from it.

export interface FairSplitInput {
  rows: RowTable;
  kind: SplitKind;
  rowsSelection: "all" | "new";
  pOfTrain: number;
  seed: number;
  /** the serving version's rows: null when nothing serves or it has no record */
  servingRows: VersionRows | null;
  /** whether a version serves */
  serving: boolean;
}

export interface FairSplit {
  train: RowSet;
  /** the test rows neither model trained on */
  test: RowSet;
  split: RunSplit;
  /** the rows the candidate trains on and has seen, joined with `base` (its parent's record) */
  versionRows(base: VersionRows | null): VersionRows;
}

export function fairSplit(input: FairSplitInput): FairSplit {
  const { rows, servingRows } = input;
  const hashes = rows.hashes();
  const rule = splitIndices(input.kind, (i) => rows.label(i), rows.length, hashes, input.pOfTrain, input.seed);
  const trainedByOld = (i: number) => servingRows !== null && servingRows.trained.has(hashes, i);

  if (input.rowsSelection === "new" && input.serving && !servingRows) {
    throw new RunFailure('rows "new": the serving version has no record of the rows it trained on (it was made before versions recorded them), so which rows are new is unknown. Train on rows "all" once; later runs can then use "new".');
  }
  // New rows: neither trained on nor tested on by the serving version (or those it continued from).
  let newRows: number | null = null;
  if (servingRows) {
    newRows = 0;
    for (let i = 0; i < rows.length; i++) if (!servingRows.seen.has(hashes, i)) newRows++;
  } else if (!input.serving) newRows = rows.length;

  const trainIdx = input.rowsSelection === "new" ? rule.train.filter((i) => !trainedByOld(i)) : rule.train;
  const testIdx = servingRows ? rule.test.filter((i) => !trainedByOld(i)) : rule.test;
  const seenByOld = rule.test.length - testIdx.length;
  if (trainIdx.length === 0) {
    throw new RunFailure(
      input.rowsSelection === "new"
        ? `No new rows to train on: the serving version trained on all ${rule.train.length} training rows of this table (by the ${input.kind} split at p_of_train ${input.pOfTrain}). Add rows to the table, or train on rows "all".`
        : `p_of_train ${input.pOfTrain} of ${rows.length} rows leaves no training row; use more rows or a larger p_of_train.`,
    );
  }
  if (testIdx.length === 0) {
    throw new RunFailure(
      rule.test.length === 0
        ? `p_of_train ${input.pOfTrain} of ${rows.length} rows leaves no test row; use more rows or a smaller p_of_train.`
        : `All ${rule.test.length} test rows were training rows of the serving version, so there is nothing fair to score either model on. Use split "stable" (the default), or the split the serving version was trained with.`,
    );
  }
  return {
    train: new RowSet(rows, trainIdx),
    test: new RowSet(rows, testIdx),
    split: {
      kind: input.kind,
      key: rows.tableKey.name,
      rows: input.rowsSelection,
      trainRows: trainIdx.length,
      testRows: rule.test.length,
      testRowsSeenByOld: !input.serving ? 0 : servingRows ? seenByOld : null,
      scoredRows: testIdx.length,
      newRows,
    },
    versionRows: (base) => ({
      trained: KeyHashSet.from(hashes, trainIdx, base?.trained),
      seen: KeyHashSet.from(hashes, concat(trainIdx, rule.test), base?.seen),
    }),
  };
}

function concat(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
