import { toCsv, type CsvValue } from "@/lib/dashboard/csv";
import type { PredictResult } from "./usePredict";

/** The score columns' names: score_<label>. */
export const scoreColumn = (label: string) => `score_${label}`;

/** Every prediction as CSV: text, label, then one score column per label (in the order the labels first appear). */
export function predictionsCsv(result: PredictResult): string {
  const labels: string[] = [];
  for (const p of result.predictions) for (const l of Object.keys(p.scores)) if (!labels.includes(l)) labels.push(l);
  const rows: CsvValue[][] = [["text", "label", ...labels.map(scoreColumn)]];
  result.predictions.forEach((p, i) => rows.push([result.inputs[i] ?? "", p.label, ...labels.map((l) => p.scores[l])]));
  return toCsv(rows);
}

/** Saves `text` as a file through the browser's download (a Blob URL on a clicked link). */
export function downloadText(filename: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
