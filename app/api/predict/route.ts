import { db } from "@/lib/db/client";
import { json, readJson, route } from "@/lib/http";
import { badRequest, AppError } from "@/lib/errors";
import { predictingClassifier } from "@/lib/versions/serving";
import { requireCaller } from "@/lib/session";
import { PREDICT_BODY_BYTES, predictSchema, versionChoice, type PredictResponse } from "@/lib/validations/predict";
import { toFieldIssues } from "@/lib/validations/field-issues";
import { methodNotAllowed, withProxyDefences } from "@/lib/web/outside-proxy";

export const dynamic = "force-dynamic";

// Predictions are per request and private: never stored by a cache. Nor compressed by the server
// (Next.js gzips every response over 1 KB at zlib level 6, and a route cannot compress its own, since
// Next.js drops a route's Content-Encoding): for 1,000 texts (about 80 KB of JSON) gzip cost 3.5 ms
// of a 20 ms round trip on the 2-core bench machine, server and client together, for a body that
// crosses a local network in well under a millisecond. Remote clients on slow links get compression
// from a reverse proxy in front (README, "Serving").
const NOT_CACHED_NOR_COMPRESSED = "no-store, no-transform";

// proxy.ts skips this route: withProxyDefences refuses cross-origin writes and sets the headers
export const POST = withProxyDefences(route(async (req) => {
  await requireCaller(req);
  const parsed = predictSchema.safeParse(await readJson(req, { limit: PREDICT_BODY_BYTES }));
  if (!parsed.success) throw badRequest(toFieldIssues(parsed.error));
  const texts = typeof parsed.data.inputs === "string" ? [parsed.data.inputs] : parsed.data.inputs;
  const started = performance.now();
  const serving = await predictingClassifier(db(), parsed.data.model, versionChoice(parsed.data));
  const probs = await serving.classifier.predict(texts);
  const labels = serving.classifier.labels;
  const topK = serving.settings.pipeline.top_k ?? null;
  const body: PredictResponse = {
    model: serving.model,
    versionId: serving.versionId,
    ...(parsed.data.alias !== undefined ? { alias: parsed.data.alias } : {}),
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
  return json(body, 200, { "cache-control": NOT_CACHED_NOR_COMPRESSED });
}));

export const GET = methodNotAllowed(["POST"]);
export const PUT = GET;
export const PATCH = GET;
export const DELETE = GET;
