import { readFile } from "node:fs/promises";
import path from "node:path";
import { loadEncoder } from "../../encoders/encoder";
import { featuresWithCache } from "../../encoders/feature-cache";
import { env, modelsDir } from "../../env";
import { encodeInShards } from "./sharded-features";
import type { ShardStat } from "../../runs/shard-queue";
import { encoderHash, readBaseModel } from "../base-models";
import { ENCODER_HEAD_MODEL_TYPE, readEncoderArtifact, writeEncoderArtifact, type EncoderArtifactConfig } from "./artifact";
import { headLogits, headPredict, sameHeadShape, type HeadParams } from "../../training/head-model";
import { packRows, resolveClassWeights, resolveHeadTrainArgs, trainHead } from "../../training/train-head";
import { foldTemperature } from "../../training/temperature";
import { probeTemperature, type CalibrationStats } from "../calibrate";
import type { Metrics } from "../../training/types";
import type { EncoderRunRequest } from "../../validations/run-request";
import { metricsFor } from "../../runs/evaluate";
import { scoreServing } from "../score-serving";
import { pct, progressOf, RunFailure, type RunContext } from "../../runs/run-context";
import { sameSet, type Candidate, type CandidateInput } from "../types";

// A transformer encoder's part of a run: the encoder stays frozen; every text's pooled features
// come from the feature cache (only texts it has not seen are encoded); the serving version, when
// it uses the same features, is evaluated on them; a head is trained on them (continuing from the
// serving version's head when the labels match), its temperature fitted on a probe head (../calibrate.ts
// probeTemperature) and folded into its last layer, and evaluated on the same test features.

type Input = CandidateInput<EncoderRunRequest>;
type Settings = Input["settings"];
type FeatureKey = { encoderHash: string; pooling: Settings["pooling"]; maxLength: number };
type Previous = { config: EncoderArtifactConfig; head: HeadParams; labels: string[] };

export async function trainEncoderCandidate(ctx: RunContext, input: Input): Promise<Candidate> {
  const { train, test, serving, settings } = input;
  const base = await encoderBase(settings);
  const key: FeatureKey = { encoderHash: await encoderHash(base, settings.quantized), pooling: settings.pooling, maxLength: settings.maxLength };

  await input.phase("encoding");
  const features = await rowFeatures(ctx, input, base.path, key);
  const trainX = features.rows.slice(0, train.length);
  const testX = features.rows.slice(train.length);

  const previous = serving ? await readPrevious(serving.dir) : null;
  const sameFeatures = previous?.config.base_hash === key.encoderHash && previous.config.pooling === key.pooling && previous.config.max_length === key.maxLength;
  const metricsOld = await scoreOld(ctx, input, sameFeatures ? previous : null, testX);

  await input.phase("training");
  const warm = previous !== null && sameFeatures && sameSet(previous.labels, input.dataLabels) ? previous : null;
  const { head, labels, parentId, calibration } = await trainCandidateHead(ctx, input, { trainX, testX, hiddenSize: features.hiddenSize, warm });

  await input.phase("evaluating-new");
  await writeEncoderArtifact(input.staged, {
    modelsDir: modelsDir(),
    base: settings.base,
    pooling: settings.pooling,
    maxLength: settings.maxLength,
    quantized: settings.quantized,
    head,
    labels,
    baseHash: key.encoderHash,
  });
  const predictionsNew = headPredict(head, packRows(testX, head.inputSize));
  const metricsNew = metricsFor(test, predictionsNew, labels);
  return { labels, parentId, metricsNew, predictionsNew, metricsOld, stats: { encodedRows: features.encodedRows, cachedRows: features.cachedRows, ...(features.shards ? { encodeShards: features.shards } : {}), ...calibration } };
}

/** The model's base folder, which must be an encoder (with its quantized graph when asked for). */
async function encoderBase(settings: Settings) {
  const base = await readBaseModel(settings.base);
  if (!base || base.kind !== "encoder") {
    throw new RunFailure(`The base model folder "${settings.base}" is missing or is not an encoder under ${modelsDir()}: copy it there (config.json, tokenizer.json, onnx/model.onnx), or pick another base in Settings.`);
  }
  if (settings.quantized && !base.hasQuantized) {
    throw new RunFailure(`Model settings ask for the quantized encoder, but ${settings.base} has no onnx/model_quantized.onnx.`);
  }
  return base;
}

/** Pooled features of every row (train, then test), from the cache where it has them. */
async function rowFeatures(ctx: RunContext, input: Input, basePath: string, key: FeatureKey) {
  const { settings } = input;
  const texts = [...input.train.texts(0, input.train.length), ...input.test.texts(0, input.test.length)];
  const encoder = await loadEncoder(basePath, { quantized: settings.quantized });
  const started = Date.now();
  const { ENCODE_SHARD_ROWS: shardRows, WORKER_HEARTBEAT_MS: heartbeatMs } = env();
  let shards: ShardStat[] | undefined;
  let cache;
  try {
    cache = await featuresWithCache(ctx.db, key, texts, (missing, info) =>
      encoder.encode(missing, {
        pooling: settings.pooling,
        maxLength: settings.maxLength,
        signal: ctx.signal,
        onProgress: (done, _total, rowsPerSecond) => {
          const finished = info.done + done;
          return ctx.report.progress({
            progress: ctx.plan.at("encoding", finished / info.total),
            step: finished,
            totalSteps: info.total,
            rowsPerSecond,
            etaSeconds: (info.total - finished) / Math.max(rowsPerSecond, 1e-9),
          });
        },
      }),
      {
        distribute: async (hashes, missing) => {
          if (!shardRows || missing.length <= shardRows) return null;
          const spec = { base: settings.base, quantized: settings.quantized, pooling: settings.pooling, maxLength: settings.maxLength, encoderHash: key.encoderHash, dtype: "float16" as const };
          const progress = progressOf(ctx, "encoding", missing.length);
          const r = await encodeInShards(ctx, hashes, missing, { encoder, spec, shardRows, heartbeatMs, onProgress: (done) => progress(done) });
          shards = r.shards;
          return r.features;
        },
      },
    );
  } finally {
    await encoder.close();
  }
  const seconds = (Date.now() - started) / 1000;
  await ctx.report.log(
    `Features (${settings.base}, ${settings.pooling} pooling, max_length ${settings.maxLength}${settings.quantized ? ", quantized" : ""}): encoded ${cache.encodedRows} texts, ${cache.cachedRows} from the cache` +
      `${cache.duplicateRows ? `, ${cache.duplicateRows} repeated` : ""} in ${seconds.toFixed(1)} s${cache.encodedRows ? ` (${(cache.encodedRows / Math.max(seconds, 1e-3)).toFixed(1)} rows/s)` : ""}`,
  );
  return { rows: cache.features, encodedRows: cache.encodedRows, cachedRows: cache.cachedRows, hiddenSize: encoder.hiddenSize, shards };
}

/** The serving version ("old"): on the same features when it was trained on them, else through its own path. */
async function scoreOld(ctx: RunContext, input: Input, onSameFeatures: Previous | null, testX: Float32Array[]): Promise<Metrics | null> {
  const { oldModel: serving, test } = input;
  if (!serving || !onSameFeatures) return scoreServing(ctx, input);
  await input.phase("evaluating-old");
  const metrics = metricsFor(test, headPredict(onSameFeatures.head, packRows(testX, onSameFeatures.head.inputSize)), onSameFeatures.labels);
  await ctx.report.log(`Old model (serving version ${serving.id}, same features): accuracy ${pct(metrics.accuracy)}, weighted F1 ${pct(metrics.f1)}, eval loss ${metrics.eval_loss.toFixed(4)}`);
  return metrics;
}

/**
 * Trains the head, continuing from the serving version's (`warm`: same labels and features) when its
 * shape matches, and calibrates it: a probe head trained the same way without the calibration slice
 * gives the temperature, folded into the head's last layer.
 */
async function trainCandidateHead(
  ctx: RunContext,
  input: Input,
  data: { trainX: Float32Array[]; testX: Float32Array[]; hiddenSize: number; warm: Previous | null },
): Promise<{ head: HeadParams; labels: string[]; parentId: string | null; calibration: CalibrationStats }> {
  const { report } = ctx;
  const { train, test, serving } = input;
  const { warm } = data;
  const args = resolveHeadTrainArgs(input.request, train.length, input.settings.head);
  const labels = warm ? warm.labels : input.dataLabels;
  const spec = { type: args.head.type, inputSize: data.hiddenSize, numLabels: labels.length, hiddenSize: args.head.hiddenSize, activation: args.head.activation };
  const init: HeadParams | undefined = warm && sameHeadShape(warm.head, spec) ? warm.head : undefined;
  if (init) await report.log(`Fine-tuning the head of the serving version ${serving!.id} (same labels and features)`);
  else if (serving) await report.log(`Training a new ${spec.type} head: the serving version ${warm ? "has a different head shape" : "has other labels or features"}`, "warn");
  else await report.log(`Training a new ${spec.type} head on the frozen encoder's features`);
  const trainLabels = Array.from(train.labelIndices(labels));
  const testLabels = Array.from(test.labelIndices(labels));
  await report.log(
    `Training: ${args.numTrainEpochs} epochs, batch size ${args.batchSize}, learning rate ${args.learningRate}, weight decay ${args.weightDecay}, label smoothing ${args.labelSmoothingFactor}, evaluation ${args.evaluationStrategy}` +
      (args.earlyStoppingPatience ? `, early stopping after ${args.earlyStoppingPatience} evaluations without improvement` : ""),
  );
  // A class_weight map must name the data's labels: known only now.
  let classWeights;
  try {
    classWeights = resolveClassWeights(args.classWeight, labels, trainLabels);
  } catch (err) {
    throw new RunFailure((err as Error).message);
  }
  const common = { evalX: data.testX, evalLabels: testLabels, spec, init, args, classWeights };
  const calibration = await probeTemperature(report, {
    xs: data.trainX,
    labels: trainLabels,
    labelNames: labels,
    numLabels: labels.length,
    seed: input.seed,
    trainProbe: async (xs, ys) => {
      const probe = await trainHead({ ...common, trainX: xs, trainLabels: ys, hooks: { signal: ctx.signal } });
      return (rows) => headLogits(probe.head, packRows(rows, probe.head.inputSize));
    },
  });
  const started = Date.now();
  const result = await trainHead({
    ...common,
    trainX: data.trainX,
    trainLabels,
    hooks: {
      onStep: ({ step, totalSteps }) => {
        const rate = step / Math.max((Date.now() - started) / 1000, 1e-3);
        return report.progress({ progress: ctx.plan.at("training", step / totalSteps), step, totalSteps, rowsPerSecond: rate * args.batchSize, etaSeconds: (totalSteps - step) / Math.max(rate, 1e-9) });
      },
      onLog: (m) => report.log(m),
      onLossPoint: (p) => report.lossPoint(p),
      signal: ctx.signal,
      stop: ctx.stop,
    },
  });
  await report.log(
    `Trained ${result.steps} steps in ${((Date.now() - started) / 1000).toFixed(1)} s` +
      (result.stoppedEarly ? " (stopped early)" : "") +
      (result.restoredBest ? `; kept the best evaluation's weights (step ${result.bestStep})` : ""),
  );
  const head = { ...result.head, out: foldTemperature(result.head.out, calibration.calibrationTemperature) };
  return { head, labels, parentId: init ? serving!.id : null, calibration };
}

async function readPrevious(dir: string): Promise<Previous | null> {
  const config = JSON.parse(await readFile(path.join(dir, "config.json"), "utf8")) as { model_type?: string };
  return config.model_type === ENCODER_HEAD_MODEL_TYPE ? readEncoderArtifact(dir) : null;
}
