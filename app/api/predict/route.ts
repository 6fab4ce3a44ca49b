import { db } from "@/lib/db/client";
import { badRequest, HttpError, json, readJson, route } from "@/lib/http";
import { NothingServingError, servingClassifier, UnknownModelError } from "@/lib/versions/serving";
import type { PredictResponse } from "@/lib/runs/types";
import { requireCaller } from "@/lib/session";
import { PREDICT_BODY_BYTES, predictSchema } from "@/lib/validations/predict";
import { toFieldIssues } from "@/lib/validations/run-request";

export const dynamic = "force-dynamic";

export const POST = route(async (req) => {
  await requireCaller(req);
  const parsed = predictSchema.safeParse(await readJson(req, { limit: PREDICT_BODY_BYTES }));
  if (!parsed.success) throw badRequest(toFieldIssues(parsed.error));
  const texts = typeof parsed.data.inputs === "string" ? [parsed.data.inputs] : parsed.data.inputs;
  const started = performance.now();
  let serving;
  try {
    serving = await servingClassifier(db(), parsed.data.model);
  } catch (err) {
    if (err instanceof NothingServingError) throw new HttpError(409, err.message);
    if (err instanceof UnknownModelError) throw new HttpError(404, err.message, [{ path: "model", message: err.message }]);
    throw err;
  }
  const probs = await serving.classifier.predict(texts);
  const labels = serving.classifier.labels;
  const topK = serving.settings.pipeline.top_k ?? null;
  const body: PredictResponse = {
    model: serving.model,
    versionId: serving.versionId,
    elapsedMs: Math.round((performance.now() - started) * 100) / 100,
    predictions: probs.map((p) => {
      let best = 0;
      for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
      const scores = Object.fromEntries(labels.map((l, i) => [l, p[i]]));
      if (!topK) return { label: labels[best], scores };
      // the model's pipeline option top_k: the k best labels, best first
      const top = labels.map((label, i) => ({ label, score: p[i] })).sort((a, b) => b.score - a.score).slice(0, topK);
      return { label: labels[best], scores, top };
    }),
  };
  return json(body);
});
