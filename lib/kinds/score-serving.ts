import { evaluateClassifier } from "../runs/evaluate";
import type { LabelledRow } from "../runs/fetch-rows";
import { pct, type Phase, type RunContext } from "../runs/run-context";
import type { Metrics } from "../training/types";
import type { ServingVersion } from "./types";

/** The "old" metrics: the serving version evaluated on the test rows through its serving path; null when nothing serves. */
export async function scoreServing(
  ctx: RunContext,
  serving: ServingVersion | null,
  test: LabelledRow[],
  phase: (p: Phase) => Promise<void>,
): Promise<Metrics | null> {
  await phase("evaluating-old");
  if (!serving) {
    await ctx.report.log("No version of this model serves yet, so there is no old model to evaluate (metrics.old is empty).");
    return null;
  }
  const classifier = await serving.load();
  try {
    const metrics = await evaluateClassifier(classifier, test, ctx, "evaluating-old");
    await ctx.report.log(`Old model (serving version ${serving.id}): accuracy ${pct(metrics.accuracy)}, weighted F1 ${pct(metrics.f1)}, eval loss ${metrics.eval_loss.toFixed(4)}`);
    return metrics;
  } finally {
    await classifier.close();
  }
}
