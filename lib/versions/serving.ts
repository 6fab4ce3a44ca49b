import type { PrismaClient } from "../db/generated/client";
import { env } from "../env";
import { AppError } from "../errors";
import { loadVersion } from "../kinds";
import type { Classifier } from "../onnx/classifier";
import { coalescePredictions } from "../onnx/predict-coalescer";
import { artifactDir } from "./store";
import { modelSettings, type ModelSettings } from "../validations/model-config";

// The web process's view of "which version serves": every prediction reads the model's serving
// pointer (one indexed query) and uses a classifier cached per version, so a promotion takes
// effect on the next request without a restart. Concurrent requests for one version are scored
// together (lib/onnx/predict-coalescer.ts; PREDICT_BATCH_WAIT_MS, PREDICT_BATCH_MAX_TEXTS).

const globalCache = globalThis as unknown as { servingClassifiers?: Map<string, Promise<Classifier>> };
const cache: Map<string, Promise<Classifier>> = (globalCache.servingClassifiers ??= new Map());

export async function classifierForVersion(db: PrismaClient, version: { id: string; artifactHash: string }): Promise<Classifier> {
  let entry = cache.get(version.id);
  if (!entry) {
    const { PREDICT_BATCH_WAIT_MS: waitMs, PREDICT_BATCH_MAX_TEXTS: maxTexts } = env();
    entry = artifactDir(db, version.artifactHash)
      .then((dir) => loadVersion(dir))
      .then((classifier) => coalescePredictions(classifier, { waitMs, maxTexts }));
    entry.catch(() => cache.delete(version.id));
    cache.set(version.id, entry);
  }
  return entry;
}

export async function servingClassifier(
  db: PrismaClient,
  modelName?: string,
): Promise<{ model: string; versionId: string; classifier: Classifier; settings: ModelSettings }> {
  const model = await db.model.findFirst({
    where: modelName ? { name: modelName } : { isDefault: true },
    select: { name: true, basePath: true, config: true, servingVersion: { select: { id: true, artifactHash: true } } },
  });
  if (!model) {
    const message = modelName ? `No model is named "${modelName}"` : "No default model is configured";
    throw new AppError("unknown_model", 404, message, [{ path: "model", message }]);
  }
  if (!model.servingVersion) {
    throw new AppError(
      "nothing_serving",
      409,
      `Model "${model.name}" has no serving version yet: start a training run (New run), then press Override on its result page to make the new version serve.`,
    );
  }
  const classifier = await classifierForVersion(db, model.servingVersion);
  // Drop classifiers of versions that no longer serve (keep the one just used).
  for (const [id, p] of cache) {
    if (id !== model.servingVersion.id && cache.size > 4) {
      cache.delete(id);
      p.then((c) => c.close()).catch(() => {});
    }
  }
  return { model: model.name, versionId: model.servingVersion.id, classifier, settings: modelSettings(model) };
}
