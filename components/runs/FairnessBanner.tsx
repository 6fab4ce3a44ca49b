import type { RunView } from "@/lib/runs/types";
import { formatInt } from "../format";

/**
 * At the top of a run: why its old and new scores do not compare (the labels changed), or that
 * test rows the serving version had trained on were set aside, or that it cannot be known.
 */
export function FairnessBanner({ run }: { run: RunView }) {
  const { comparison, split } = run;
  const notComparable = comparison && !comparison.comparable;
  const seen = split?.testRowsSeenByOld;
  return (
    <>
      {notComparable ? (
        <div className="alert alert-warn" role="alert" data-testid="not-comparable">
          <p className="alert-title">Old and new do not compare</p>
          <p>{comparison.reason}</p>
          {comparison.labelChange ? (
            <p className="small">
              {comparison.labelChange.added.length ? <>Labels added: {comparison.labelChange.added.join(", ")}. </> : null}
              {comparison.labelChange.removed.length ? <>Labels removed: {comparison.labelChange.removed.join(", ")}.</> : null}
            </p>
          ) : null}
        </div>
      ) : null}
      {split && seen !== null && seen !== undefined && seen > 0 ? (
        <div className="alert alert-warn" role="status" data-testid="seen-rows-warning">
          {formatInt(seen)} of the {formatInt(split.testRows)} test rows were training rows of the serving version; they were set aside and both models
          were scored on the other {formatInt(split.scoredRows)}.
          {split.kind !== "stable" ? <> A {split.kind} split moves rows between train and test from run to run; the stable split (the default) does not.</> : null}
        </div>
      ) : null}
      {split && seen === null ? (
        <div className="alert alert-warn" role="status" data-testid="seen-rows-unknown">
          The serving version has no record of the rows it trained on (it was made before versions recorded them), so its scores may include rows it
          trained on.
        </div>
      ) : null}
    </>
  );
}
