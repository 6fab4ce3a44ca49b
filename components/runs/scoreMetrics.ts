// The scores compared between the old and the new model, in the order the run page lists them.

export type ScoreKey = "accuracy" | "precision" | "recall" | "f1" | "macro_precision" | "macro_recall" | "macro_f1";

export const SCORE_METRICS: { key: ScoreKey; label: string; short: string }[] = [
  { key: "accuracy", label: "Accuracy", short: "Accuracy" },
  { key: "precision", label: "Precision (weighted)", short: "Prec. (w)" },
  { key: "recall", label: "Recall (weighted)", short: "Recall (w)" },
  { key: "f1", label: "F1 (weighted)", short: "F1 (w)" },
  { key: "macro_precision", label: "Precision (macro)", short: "Prec. (m)" },
  { key: "macro_recall", label: "Recall (macro)", short: "Recall (m)" },
  { key: "macro_f1", label: "F1 (macro)", short: "F1 (m)" },
];
