import { readFile } from "node:fs/promises";
import path from "node:path";
import { loadEncoder } from "../../encoders/encoder";
import { featuresWithCache } from "../../encoders/feature-cache";
import { modelsDir } from "../../env";
import { encoderHash, readBaseModel } from "../base-models";
import { ENCODER_HEAD_MODEL_TYPE, readEncoderArtifact, writeEncoderArtifact, type EncoderArtifactConfig } from "./artifact";
import { headPredict, sameHeadShape, type HeadParams } from "../../training/head-model";
import { packRows, resolveClassWeights, resolveHeadTrainArgs, trainHead } from "../../training/train-head";
import type { Metrics } from "../../training/types";
import type { EncoderRunRequest } from "../../validations/run-request";
import { metricsFor } from "../../runs/evaluate";
import { scoreServing } from "../score-serving";
import { at, pct, RunFailure, type RunContext } from "../../runs/run-context";
import { sameSet, type Candidate, type CandidateInput } from "../types";

// A transformer encoder's part of a run: the encoder stays frozen; every text's pooled features
// come from the feature cache (only texts it has not seen are encoded); the serving version, when
// it uses the same features, is evaluated on them; a head is trained on them (continuing from the
// serving version's head when the labels match) and evaluated on the same test features.

export async function trainEncoderCandidate(ctx: RunContext, input: CandidateInput<EncoderRunRequest>): Promise<Candidate> {
  const { db, report } = ctx;
  const { train, test, serving, staged, settings } = input;
  const base = await readBaseModel(settings.base);
  if (!base || base.kind !== "encoder") {
    throw new RunFailure(`The base model folder "${settings.base}" is missing or is not an encoder under ${modelsDir()}: copy it there (config.json, tokenizer.json, onnx/model.onnx), or pick another base in Settings.`);
  }
  if (settings.quantized && !base.hasQuantized) {
    throw new RunFailure(`Model settings ask for the quantized encoder, but ${settings.base} has no onnx/model_quantized.onnx.`);
  }
  const key = { encoderHash: await encoderHash(base, settings.quantized), pooling: settings.pooling, maxLength: settings.maxLength };

  // Features for every row, from the cache where it has them.
  await input.phase("encoding");
  const texts = [...train, ...test].map((r) => r.text);
  const encoder = await loadEncoder(base.path, { quantized: settings.quantized });
  let cache;
  const encodeStart = Date.now();
  try {
    cache = await featuresWithCache(db, key, texts, (missing, info) =>
      encoder.encode(missing, {
        pooling: settings.pooling,
        maxLength: settings.maxLength,
        signal: ctx.signal,
        onProgress: (done, _total, rowsPerSecond) => {
          const finished = info.done + done;
          return report.progress({
            progress: at("encoding", finished / info.total),
            step: finished,
            totalSteps: info.total,
            rowsPerSecond,
            etaSeconds: (info.total - finished) / Math.max(rowsPerSecond, 1e-9),
          });
        },
      }),
    );
  } finally {
    await encoder.close();
  }
  const seconds = (Date.now() - encodeStart) / 1000;
  await report.log(
    `Features (${settings.base}, ${settings.pooling} pooling, max_length ${settings.maxLength}${settings.quantized ? ", quantized" : ""}): encoded ${cache.encodedRows} texts, ${cache.cachedRows} from the cache` +
      `${cache.duplicateRows ? `, ${cache.duplicateRows} repeated` : ""} in ${seconds.toFixed(1)} s${cache.encodedRows ? ` (${(cache.encodedRows / Math.max(seconds, 1e-3)).toFixed(1)} rows/s)` : ""}`,
  );
  const trainX = cache.features.slice(0, train.length);
  const testX = cache.features.slice(train.length);

  // The serving version: on the same features when it was trained on them, else through its own path.
  const previous = serving ? await readPrevious(serving.dir) : null;
  const sameFeatures = previous?.config.base_hash === key.encoderHash && previous.config.pooling === key.pooling && previous.config.max_length === key.maxLength;
  let metricsOld: Metrics | null;
  if (serving && previous && sameFeatures) {
    await input.phase("evaluating-old");
    metricsOld = metricsFor(test, headPredict(previous.head, packRows(testX, previous.head.inputSize)), previous.labels);
    await report.log(`Old model (serving version ${serving.id}, same features): accuracy ${pct(metricsOld.accuracy)}, weighted F1 ${pct(metricsOld.f1)}, eval loss ${metricsOld.eval_loss.toFixed(4)}`);
  } else {
    metricsOld = await scoreServing(ctx, serving, test, input.phase);
  }

  // Train the head.
  await input.phase("training");
  const args = resolveHeadTrainArgs(input.request, train.length, settings.head);
  const warm = serving !== null && previous !== null && sameFeatures && sameSet(previous.labels, input.dataLabels);
  const labels = warm ? previous!.labels : input.dataLabels;
  const spec = { type: args.head.type, inputSize: encoder.hiddenSize, numLabels: labels.length, hiddenSize: args.head.hiddenSize, activation: args.head.activation };
  const init: HeadParams | undefined = warm && sameHeadShape(previous!.head, spec) ? previous!.head : undefined;
  if (init) await report.log(`Fine-tuning the head of the serving version ${serving!.id} (same labels and features)`);
  else if (serving) await report.log(`Training a new ${spec.type} head: the serving version ${warm ? "has a different head shape" : "has other labels or features"}`, "warn");
  else await report.log(`Training a new ${spec.type} head on the frozen encoder's features`);
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const trainLabels = train.map((r) => labelIndex.get(r.label)!);
  const testLabels = test.map((r) => labelIndex.get(r.label)!);
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
  const trainStart = Date.now();
  const result = await trainHead({
    trainX,
    trainLabels,
    evalX: testX,
    evalLabels: testLabels,
    spec,
    init,
    args,
    classWeights,
    hooks: {
      onStep: ({ step, totalSteps }) => {
        const rate = step / Math.max((Date.now() - trainStart) / 1000, 1e-3);
        return report.progress({ progress: at("training", step / totalSteps), step, totalSteps, rowsPerSecond: rate * args.batchSize, etaSeconds: (totalSteps - step) / Math.max(rate, 1e-9) });
      },
      onLog: (m) => report.log(m),
      onLossPoint: (p) => report.lossPoint(p),
      signal: ctx.signal,
    },
  });
  await report.log(
    `Trained ${result.steps} steps in ${((Date.now() - trainStart) / 1000).toFixed(1)} s` +
      (result.stoppedEarly ? " (stopped early)" : "") +
      (result.restoredBest ? `; kept the best evaluation's weights (step ${result.bestStep})` : ""),
  );

  await input.phase("evaluating-new");
  await writeEncoderArtifact(staged, {
    modelsDir: modelsDir(),
    base: settings.base,
    pooling: settings.pooling,
    maxLength: settings.maxLength,
    quantized: settings.quantized,
    head: result.head,
    labels,
    baseHash: key.encoderHash,
  });
  const metricsNew = metricsFor(test, headPredict(result.head, packRows(testX, result.head.inputSize)), labels);
  return {
    labels,
    parentId: init ? serving!.id : null,
    metricsNew,
    metricsOld,
    stats: { encodedRows: cache.encodedRows, cachedRows: cache.cachedRows },
  };
}

async function readPrevious(dir: string): Promise<{ config: EncoderArtifactConfig; head: HeadParams; labels: string[] } | null> {
  const config = JSON.parse(await readFile(path.join(dir, "config.json"), "utf8")) as { model_type?: string };
  return config.model_type === ENCODER_HEAD_MODEL_TYPE ? readEncoderArtifact(dir) : null;
}
