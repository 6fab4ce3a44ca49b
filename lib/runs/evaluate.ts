import type { Classifier } from "../onnx/classifier";
import { computeMetrics } from "../training/metrics";
import { throwIfCancelled } from "../errors";
import type { Metrics } from "../training/types";
import type { LabelledRow } from "./fetch-rows";
import { progressOf, type Phase, type RunContext } from "./run-context";

/**
 * Metrics of `probs` (one row per test row, in `modelLabels` order) against the rows' labels.
 * Test labels the model does not know count as errors: they join the label list with probability 0.
 */
export function metricsFor(rows: LabelledRow[], probs: Float32Array[], modelLabels: string[]): Metrics {
  const labels = [...modelLabels];
  for (const r of rows) if (!labels.includes(r.label)) labels.push(r.label);
  const index = new Map(labels.map((l, i) => [l, i]));
  const full = probs.map((p) => {
    const f = new Float32Array(labels.length);
    f.set(p);
    return f;
  });
  return computeMetrics(rows.map((r) => index.get(r.label)!), full, labels);
}

/** Evaluates a classifier through its serving path (`predict`) on the test rows, with progress. */
export async function evaluateClassifier(classifier: Classifier, rows: LabelledRow[], ctx: RunContext, phase: Phase): Promise<Metrics> {
  const probs: Float32Array[] = [];
  const slice = 256;
  const tick = progressOf(ctx, phase, rows.length);
  for (let i = 0; i < rows.length; i += slice) {
    throwIfCancelled(ctx.signal);
    probs.push(...(await classifier.predict(rows.slice(i, i + slice).map((r) => r.text))));
    await tick(Math.min(rows.length, i + slice));
  }
  return metricsFor(rows, probs, classifier.labels);
}
