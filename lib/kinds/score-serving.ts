import { evaluateClassifier } from "../runs/evaluate";
import { pct, type RunContext } from "../runs/run-context";
import type { Metrics } from "../training/types";
import type { CandidateInput } from "./types";

/** The "old" metrics: the version to score as old, evaluated on the test rows through its serving path; null when there is none. */
export async function scoreServing(ctx: RunContext, input: Pick<CandidateInput<unknown>, "serving" | "oldModel" | "test" | "phase">): Promise<Metrics | null> {
  const version = input.oldModel;
  if (!version) {
    await ctx.report.log(
      input.serving
        ? `The serving version ${input.serving.id} shares no label with the data, so it is not evaluated (metrics.old is empty).`
        : "No version of this model serves yet, so there is no old model to evaluate (metrics.old is empty).",
    );
    return null;
  }
  await input.phase("evaluating-old");
  const classifier = await version.load();
  try {
    const { metrics } = await evaluateClassifier(classifier, input.test, ctx, "evaluating-old");
    await ctx.report.log(`Old model (serving version ${version.id}): accuracy ${pct(metrics.accuracy)}, weighted F1 ${pct(metrics.f1)}, eval loss ${metrics.eval_loss.toFixed(4)}`);
    return metrics;
  } finally {
    await classifier.close();
  }
}
