import type { Classifier } from "../onnx/classifier";
import { computeMetrics } from "../training/metrics";
import { throwIfCancelled } from "../errors";
import { collectGarbageIfGrown } from "../process/collect-garbage";
import type { Metrics } from "../training/types";
import { ProbabilityRows } from "../training/probability-rows";
import type { RowSet } from "./row-table";
import { rowsReader, type RowsReader } from "../training/token-rows";
import { progressOf, type Phase, type RunContext } from "./run-context";

/**
 * Metrics of `probs` (one row per test row, in `modelLabels` order) against the rows' labels, over
 * the sorted union of the model's and the rows' labels: test labels the model does not know count
 * as errors (it gives them probability 0).
 */
export function metricsFor(rows: RowSet, probs: ProbabilityRows, modelLabels: string[]): Metrics {
  const rowLabels = rows.labels();
  const labels = [...new Set([...modelLabels, ...rowLabels])].sort();
  const index = new Map(labels.map((l, i) => [l, i]));
  const at = modelLabels.map((l) => index.get(l)!);
  const y = rowLabels.map((l) => index.get(l)!);
  // the model's labels are all of them, in sorted order (the usual case): its probabilities as they are
  if (at.length === labels.length && at.every((k, j) => k === j)) return computeMetrics(y, probs, labels);
  const full = new Float32Array(probs.length * labels.length);
  for (let i = 0; i < probs.length; i++) for (let j = 0; j < at.length; j++) full[i * labels.length + at[j]] = probs.at(i, j);
  return computeMetrics(y, new ProbabilityRows(full, labels.length), labels);
}

/**
 * Evaluates a classifier through its serving path (`predict`) on the test rows, with progress; also
 * gives each row's probabilities. `ids`: the rows' texts already encoded by the classifier's own
 * tokenizer (the starter's run encodes them with the folder it then loads; a big table's are read
 * back from a file a slice at a time), scored by its graph without encoding them again.
 */
export async function evaluateClassifier(classifier: Classifier, rows: RowSet, ctx: RunContext, phase: Phase, ids?: Int32Array[] | RowsReader): Promise<{ metrics: Metrics; probs: ProbabilityRows }> {
  if (ids && ids.length !== rows.length) throw new Error(`evaluateClassifier: ${ids.length} encoded rows for ${rows.length} rows`);
  const C = classifier.labels.length;
  const probs = new ProbabilityRows(new Float32Array(rows.length * C), C);
  const byIds = ids && classifier.predictIds ? { ids: rowsReader(ids), predictIds: classifier.predictIds.bind(classifier) } : null;
  const slice = byIds ? 2048 : 256;
  const tick = progressOf(ctx, phase, rows.length);
  for (let i = 0; i < rows.length; i += slice) {
    throwIfCancelled(ctx.signal);
    const end = Math.min(rows.length, i + slice);
    const scored = byIds ? await byIds.predictIds(byIds.ids.read(i, end), 64) : await classifier.predict(rows.texts(i, end));
    scored.forEach((p, k) => probs.data.set(p, (i + k) * C));
    collectGarbageIfGrown(); // each slice's feeds and texts are garbage once scored
    await tick(end);
  }
  return { metrics: metricsFor(rows, probs, classifier.labels), probs };
}
