import { isProcessDb } from "../db/client";
import type { PrismaClient } from "../db/generated/client";
import { sharedCache } from "../db/invalidated-cache";
import { env } from "../env";
import { AppError } from "../errors";
import { loadVersion } from "../kinds";
import type { Classifier } from "../onnx/classifier";
import { coalescePredictions } from "../onnx/predict-coalescer";
import { artifactDir } from "./store";
import { modelSettings, type ModelSettings } from "../validations/model-config";

// The web process's view of "which version answers": every prediction reads the model's serving
// pointer, or the alias or version it names (one indexed query each, kept in a cache that a
// promotion, a moved or removed alias or a model's changed settings drop: the "serving" topic of
// lib/db/invalidated-cache.ts), and uses a classifier cached per version, so a promotion or a moved
// alias takes effect on the next request without a restart.
// Concurrent requests for one version are scored together (lib/onnx/predict-coalescer.ts;
// PREDICT_BATCH_WAIT_MS, PREDICT_BATCH_MAX_TEXTS).

const globalCache = globalThis as unknown as { servingClassifiers?: Map<string, Promise<Classifier>> };
const cache: Map<string, Promise<Classifier>> = (globalCache.servingClassifiers ??= new Map());
/** versions kept loaded: the serving ones, aliased ones and any asked for by id, least recently used first out */
const MAX_CACHED = 4;
/** an evicted classifier is closed after this long, so that requests still scoring on it finish */
const CLOSE_AFTER_MS = 30_000;

export async function classifierForVersion(db: PrismaClient, version: { id: string; artifactHash: string }): Promise<Classifier> {
  let entry = cache.get(version.id);
  if (entry) {
    cache.delete(version.id); // most recently used last
  } else {
    const { PREDICT_BATCH_WAIT_MS: waitMs, PREDICT_BATCH_MAX_TEXTS: maxTexts } = env();
    entry = artifactDir(db, version.artifactHash)
      .then((dir) => loadVersion(dir))
      .then((classifier) => coalescePredictions(classifier, { waitMs, maxTexts }));
    entry.catch(() => cache.delete(version.id));
  }
  cache.set(version.id, entry);
  for (const [id, p] of cache) {
    if (cache.size <= MAX_CACHED) break;
    if (id === version.id) continue;
    cache.delete(id);
    setTimeout(() => p.then((c) => c.close()).catch(() => {}), CLOSE_AFTER_MS).unref();
  }
  return entry;
}

/** Which version of the model answers: the serving one (neither given), an alias's, or one by id. */
export interface VersionChoice {
  alias?: string;
  versionId?: string;
}

export interface PredictingClassifier {
  model: string;
  versionId: string;
  /** the alias that named the version, when one did */
  alias: string | null;
  classifier: Classifier;
  settings: ModelSettings;
}

type VersionRef = { id: string; artifactHash: string };

interface ServingModel {
  id: string;
  name: string;
  servingVersion: VersionRef | null;
  settings: ModelSettings;
}

/** `read()`, through the process's serving cache when `db` is the process's client (found rows only). */
function cached<V>(db: PrismaClient, key: string, read: () => Promise<V | null>): Promise<V | null> {
  if (!isProcessDb(db)) return read();
  return sharedCache<V | null>("serving", "serving").get(key, read, (v) => v !== null);
}

/** The version `choice` names: 404 naming the alias or version id when the model has no such one. */
async function chosenVersion(db: PrismaClient, model: { id: string; name: string }, choice: VersionChoice): Promise<VersionRef | null> {
  if (choice.alias !== undefined) {
    const alias = choice.alias;
    const version = await cached(db, `alias:${model.id}:${alias}`, async () => {
      const row = await db.modelAlias.findUnique({
        where: { modelId_alias: { modelId: model.id, alias } },
        select: { version: { select: { id: true, artifactHash: true } } },
      });
      return row?.version ?? null;
    });
    if (!version) {
      const message = `model "${model.name}" has no alias "${choice.alias}"`;
      throw new AppError("unknown_alias", 404, `Model "${model.name}" has no alias "${choice.alias}"`, [{ path: "alias", message }]);
    }
    return version;
  }
  if (choice.versionId !== undefined) {
    const id = choice.versionId;
    const version = await cached(db, `version:${model.id}:${id}`, () =>
      db.modelVersion.findFirst({ where: { id, modelId: model.id }, select: { id: true, artifactHash: true } }),
    );
    if (!version) {
      const message = `model "${model.name}" has no version "${choice.versionId}"`;
      throw new AppError("unknown_version", 404, `Model "${model.name}" has no version "${choice.versionId}"`, [{ path: "versionId", message }]);
    }
    return version;
  }
  return null;
}

/** The classifier that answers a prediction for `modelName` (the default model when absent). */
export async function predictingClassifier(db: PrismaClient, modelName?: string, choice: VersionChoice = {}): Promise<PredictingClassifier> {
  const model = await cached<ServingModel>(db, `model:${modelName ?? ""}`, async () => {
    const row = await db.model.findFirst({
      where: modelName ? { name: modelName } : { isDefault: true },
      select: { id: true, name: true, basePath: true, config: true, servingVersion: { select: { id: true, artifactHash: true } } },
    });
    return row && { id: row.id, name: row.name, servingVersion: row.servingVersion, settings: modelSettings(row) };
  });
  if (!model) {
    const message = modelName ? `No model is named "${modelName}"` : "No default model is configured";
    throw new AppError("unknown_model", 404, message, [{ path: "model", message }]);
  }
  const version = (await chosenVersion(db, model, choice)) ?? model.servingVersion;
  if (!version) {
    throw new AppError(
      "nothing_serving",
      409,
      `Model "${model.name}" has no serving version yet: start a training run (New run), then press Override on its result page to make the new version serve.`,
    );
  }
  const classifier = await classifierForVersion(db, version);
  return { model: model.name, versionId: version.id, alias: choice.alias ?? null, classifier, settings: model.settings };
}
