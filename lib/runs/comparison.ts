import type { RunComparison } from "./types";

// Whether the serving version's scores can be set beside a candidate's: only when both predict
// the same labels. Otherwise the run says what changes, and when no label is shared the old model
// is not evaluated at all (its 0 % would be known in advance and mean nothing).

export function labelChange(servingLabels: string[], dataLabels: string[]): { added: string[]; removed: string[] } {
  return {
    added: dataLabels.filter((l) => !servingLabels.includes(l)).sort(),
    removed: servingLabels.filter((l) => !dataLabels.includes(l)).sort(),
  };
}

const list = (xs: string[]) => xs.map((x) => `"${x}"`).join(", ");

/** The comparison of a run whose data has `dataLabels`, with the serving version's labels (null: nothing serves). */
export function compareLabels(servingLabels: string[] | null, dataLabels: string[]): RunComparison | null {
  if (!servingLabels) return null;
  const change = labelChange(servingLabels, dataLabels);
  if (change.added.length === 0 && change.removed.length === 0) return { comparable: true, reason: null, labelChange: null };
  const shared = servingLabels.filter((l) => dataLabels.includes(l));
  const what =
    (change.added.length ? `the data adds ${list(change.added)}` : "") +
    (change.added.length && change.removed.length ? " and " : "") +
    (change.removed.length ? `${change.added.length ? "lacks" : "the data lacks"} ${list(change.removed)}` : "");
  const reason =
    shared.length === 0
      ? `The labels change completely: the serving version predicts ${list(servingLabels)}, the data is labelled ${list(dataLabels)}. The old model was not evaluated; making the new one serve changes every prediction's labels.`
      : `The labels change: ${what}. The old model cannot predict the labels it lacks, so its scores do not compare with the new model's; making the new one serve changes the labels clients get.`;
  return { comparable: false, reason, labelChange: change };
}

/** Whether the serving version should be scored at all: it shares a label with the data. */
export const sharesALabel = (servingLabels: string[], dataLabels: string[]) => servingLabels.some((l) => dataLabels.includes(l));
