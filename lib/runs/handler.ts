import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { PrismaClient } from "../db/generated/client";
import { loadClassifier } from "../models/inference";
import { readStaticArtifact, writeStaticArtifact } from "../models/static-artifact";
import { encodeTextsAsync, loadTokenizer, type Tokenizer } from "../models/tokenizer";
import { artifactDir, stagingDir, storeArtifact } from "../models/version-store";
import { computeMetrics } from "../training/metrics";
import { stratifiedSplit } from "../training/split";
import { initStaticParams } from "../training/static-model";
import { buildTokenizer } from "../training/tokenizer-builder";
import { CancelledError, resolveTrainArgs, STARTER_DEFAULTS, trainStatic } from "../training/train-static";
import type { Metrics, StaticParams } from "../training/types";
import { APPLIED_TRAINING_ARGUMENTS, TRAINING_ARGUMENT_NAMES, whyIgnored } from "../validations/training-arguments";
import { parseRunRequest } from "../validations/run-request";
import { fetchLabelledRows, type LabelledRow } from "./fetch-rows";
import type { RunReporter } from "./reporter";
import { resolveRequest } from "./resolve-request";

// One training run, as a function of its id and a small helper object (the job-handler style of
// graphile-worker/pg-boss): fetch rows, split, evaluate the serving version ("old"), fine-tune,
// evaluate the result ("new") through the same ONNX serving path, store it as a candidate version.

/** A failure the user can act on: its message is shown as the run's error, as is. */
export class RunFailure extends Error {}

export { CancelledError };

export interface RunContext {
  db: PrismaClient;
  runId: string;
  report: RunReporter;
  isCancelled(): boolean;
}

/** Phase boundaries on the overall progress bar. */
const SPAN = {
  fetching: [0, 0.1],
  "evaluating-old": [0.1, 0.2],
  tokenizing: [0.2, 0.3],
  training: [0.3, 0.85],
  "evaluating-new": [0.85, 0.95],
  saving: [0.95, 1],
} as const;
type Phase = keyof typeof SPAN;
const at = (phase: Phase, fraction: number) => SPAN[phase][0] + (SPAN[phase][1] - SPAN[phase][0]) * Math.min(1, Math.max(0, fraction));

export interface RunOutcome {
  candidateVersionId: string;
  metricsOld: Metrics | null;
  metricsNew: Metrics;
}

export async function runTraining(ctx: RunContext): Promise<RunOutcome> {
  const { db, runId, report } = ctx;
  const timings: Record<string, number> = {};
  const t0 = Date.now();
  let phaseStart = t0;
  const enter = async (phase: Phase) => {
    if (ctx.isCancelled()) throw new CancelledError();
    phaseStart = Date.now();
    await report.progress({ phase, progress: at(phase, 0), step: null, totalSteps: null, etaSeconds: null, rowsPerSecond: null }, { force: true });
  };
  const leave = (phase: Phase) => (timings[phase] = (Date.now() - phaseStart) / 1000);

  const run = await db.trainingRun.findUniqueOrThrow({ where: { id: runId }, include: { model: { include: { servingVersion: true } } } });
  const parsed = parseRunRequest(run.request);
  if (!parsed.ok) throw new RunFailure(`The request is invalid: ${parsed.issues.map((i) => `${i.path} ${i.message}`).join("; ")}`);
  const req = parsed.request;
  const resolution = await resolveRequest(db, req);
  if (!resolution.ok) throw new RunFailure(resolution.issues.map((i) => `${i.path}: ${i.message}`).join("; "));
  const source = resolution.resolved;
  const model = run.model;
  await report.log(`Model "${model.name}" (${model.kind}); reading ${source.table.schema}.${source.table.table} (label: ${source.labelColumn}, text: ${source.textColumn})${req.limit ? `, at most ${req.limit} rows` : ""}`);
  for (const name of Object.keys(run.request as object)) {
    if (TRAINING_ARGUMENT_NAMES.has(name) && !APPLIED_TRAINING_ARGUMENTS.has(name)) {
      await report.log(`Ignored TrainingArguments "${name}": ${whyIgnored(name)}`, "warn");
    }
  }

  // 1. Fetch
  await enter("fetching");
  const fetched = await fetchLabelledRows(db, { ...source, limit: req.limit }, {
    onChunk: (read, total) => report.progress({ progress: at("fetching", read / Math.max(1, total)), step: read, totalSteps: total }),
  });
  leave("fetching");
  const rows = fetched.rows;
  await report.log(`Fetched ${rows.length} rows${fetched.skipped ? ` (skipped ${fetched.skipped} with an empty label or text)` : ""} in ${timings.fetching.toFixed(1)} s`);
  if (rows.length === 0) throw new RunFailure(`The table ${source.table.table} returned no rows with both a label and a text; nothing to train on.`);
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
  if (counts.size < 2) throw new RunFailure(`Training needs at least two different labels, but every row is labelled "${[...counts.keys()][0]}".`);
  await report.log(`Labels: ${[...counts].map(([l, n]) => `${l} ${n}`).join(", ")}`);
  for (const [label, n] of counts) {
    if (n < 10 || n / rows.length < 0.05) {
      await report.log(`Label "${label}" has only ${n} of ${rows.length} rows (${((100 * n) / rows.length).toFixed(1)}%): the model will rarely predict it, and accuracy says little. Use more rows or a more balanced table.`, "warn");
    }
  }

  // 2. Split
  const seed = req.seed ?? 42;
  const { train, test } = stratifiedSplit(rows, (r: LabelledRow) => r.label, req.p_of_train, seed);
  if (train.length === 0 || test.length === 0) {
    throw new RunFailure(`p_of_train ${req.p_of_train} of ${rows.length} rows leaves ${train.length} training and ${test.length} test rows; both need at least one.`);
  }
  const stats = { rows: rows.length, trainRows: train.length, testRows: test.length, skippedRows: fetched.skipped, labels: Object.fromEntries(counts) };
  await db.trainingRun.update({ where: { id: runId }, data: { stats } });
  await report.log(`Split ${train.length} training / ${test.length} test rows (stratified by label, seed ${seed})`);
  const dataLabels = [...counts.keys()].sort();
  const fixedLabels = (model.config as { labels?: string[] } | null)?.labels;
  if (fixedLabels && dataLabels.some((l) => !fixedLabels.includes(l))) {
    throw new RunFailure(`Model "${model.name}" only takes the labels ${fixedLabels.join(", ")}, but the data also has ${dataLabels.filter((l) => !fixedLabels.includes(l)).join(", ")}.`);
  }

  // 3. Evaluate the serving version on the test rows
  await enter("evaluating-old");
  const serving = model.servingVersion;
  let metricsOld: Metrics | null = null;
  let servingDir: string | null = null;
  if (!serving) {
    await report.log(`No version of "${model.name}" serves yet, so there is no old model to evaluate (metrics.old is empty).`);
  } else {
    servingDir = await artifactDir(db, serving.artifactHash);
    metricsOld = await evaluate(servingDir, test, ctx, "evaluating-old");
    await report.log(`Old model (serving version ${serving.id}): accuracy ${pct(metricsOld.accuracy)}, weighted F1 ${pct(metricsOld.f1)}, eval loss ${metricsOld.eval_loss.toFixed(4)}`);
  }
  leave("evaluating-old");

  // 4. Tokenise: continue from the serving version when its labels match, else start fresh
  await enter("tokenizing");
  const warm = serving && servingDir && sameSet(serving.labels, dataLabels);
  const staged = await stagingDir();
  try {
    let labels: string[];
    let init: StaticParams | undefined;
    let tokenizerJson: object;
    let tokenizerConfig: object;
    let maxLength: number;
    if (warm) {
      const prev = await readStaticArtifact(servingDir!);
      labels = prev.labels;
      init = prev.params;
      maxLength = prev.maxLength;
      tokenizerJson = JSON.parse(await readFile(path.join(servingDir!, "tokenizer.json"), "utf8"));
      tokenizerConfig = JSON.parse(await readFile(path.join(servingDir!, "tokenizer_config.json"), "utf8"));
      await report.log(`Fine-tuning from the serving version ${serving!.id} (same labels: ${labels.join(", ")}); its tokenizer is kept`);
    } else {
      if (serving) await report.log(`The serving version's labels (${serving.labels.join(", ")}) differ from the data's (${dataLabels.join(", ")}): training a new model from scratch`, "warn");
      else await report.log("Training a new starter model from scratch (static embeddings + linear head)");
      labels = dataLabels;
      maxLength = STARTER_DEFAULTS.maxLength;
      const built = buildTokenizer(train.map((r) => r.text), { vocabSize: STARTER_DEFAULTS.vocabSize, maxLength });
      tokenizerJson = built.tokenizer;
      tokenizerConfig = built.tokenizerConfig;
    }
    // The tokenizer files go in first: the texts are encoded by the same loader that serves.
    await writeFile(path.join(staged, "tokenizer.json"), JSON.stringify(tokenizerJson));
    await writeFile(path.join(staged, "tokenizer_config.json"), JSON.stringify(tokenizerConfig));
    const tokenizer = await loadTokenizer(staged);
    if (!warm) {
      const vocabSize = Object.keys((tokenizerJson as { model: { vocab: Record<string, number> } }).model.vocab).length;
      init = initStaticParams(vocabSize, STARTER_DEFAULTS.dim, labels.length, seed);
      await report.log(`Built a ${vocabSize}-token vocabulary from the training rows`);
    }
    const labelIndex = new Map(labels.map((l, i) => [l, i]));
    const tokT0 = Date.now();
    const trainIds = await encode(tokenizer, train.map((r) => r.text), maxLength, ctx, 0, 0.8);
    const testIds = await encode(tokenizer, test.map((r) => r.text), maxLength, ctx, 0.8, 1);
    leave("tokenizing");
    await report.log(`Tokenised ${rows.length} texts in ${((Date.now() - tokT0) / 1000).toFixed(1)} s`);

    // 5. Train
    await enter("training");
    let args;
    try {
      args = resolveTrainArgs(run.request as Record<string, unknown>, train.length);
    } catch (err) {
      throw new RunFailure(`Invalid training arguments: ${(err as Error).message}`);
    }
    await report.log(
      `Training: ${args.numTrainEpochs} epochs, batch size ${args.batchSize}, learning rate ${args.learningRate}, weight decay ${args.weightDecay}, evaluation ${args.evaluationStrategy}`,
    );
    const trainStart = Date.now();
    const result = await trainStatic({
      trainIds,
      trainLabels: train.map((r) => labelIndex.get(r.label)!),
      evalIds: testIds,
      evalLabels: test.map((r) => labelIndex.get(r.label)!),
      init: init!,
      args,
      hooks: {
        onStep: ({ step, totalSteps }) => {
          const elapsed = (Date.now() - trainStart) / 1000;
          const rate = step / Math.max(elapsed, 1e-3);
          return report.progress({
            progress: at("training", step / totalSteps),
            step,
            totalSteps,
            etaSeconds: (totalSteps - step) / Math.max(rate, 1e-9),
            rowsPerSecond: (rate * args.batchSize),
          });
        },
        onLog: (m) => report.log(m),
        onLossPoint: (p) => report.lossPoint(p),
        isCancelled: () => ctx.isCancelled(),
      },
    });
    leave("training");
    await report.log(`Trained ${result.steps} steps in ${timings.training.toFixed(1)} s`);

    // 6. Evaluate the new model through the exported ONNX graph (the serving path)
    await enter("evaluating-new");
    await writeStaticArtifact(staged, { params: result.params, labels, tokenizer: tokenizerJson, tokenizerConfig, maxLength });
    const metricsNew = await evaluate(staged, test, ctx, "evaluating-new");
    leave("evaluating-new");
    await report.log(`New model: accuracy ${pct(metricsNew.accuracy)}, weighted F1 ${pct(metricsNew.f1)}, eval loss ${metricsNew.eval_loss.toFixed(4)}`);

    // 7. Save as a candidate version
    await enter("saving");
    const hash = await storeArtifact(db, staged);
    const version = await db.modelVersion.create({
      data: {
        modelId: model.id,
        artifactHash: hash,
        labels,
        metrics: metricsNew as object,
        request: run.request as object,
        parentId: warm ? serving!.id : null,
      },
    });
    leave("saving");
    timings.total = (Date.now() - t0) / 1000;
    await db.trainingRun.update({
      where: { id: runId },
      data: { candidateVersionId: version.id, metricsOld: (metricsOld ?? undefined) as object | undefined, metricsNew: metricsNew as object, timings },
    });
    await report.log(`Saved candidate version ${version.id}. Press Override to make it serve.`);
    return { candidateVersionId: version.id, metricsOld, metricsNew };
  } finally {
    await rm(staged, { recursive: true, force: true });
  }
}

async function evaluate(dir: string, rows: LabelledRow[], ctx: RunContext, phase: Phase): Promise<Metrics> {
  const classifier = await loadClassifier(dir);
  try {
    // Test labels the model does not know count as errors: they join the label list with probability 0.
    const labels = [...classifier.labels];
    for (const r of rows) if (!labels.includes(r.label)) labels.push(r.label);
    const index = new Map(labels.map((l, i) => [l, i]));
    const probs: Float32Array[] = [];
    const slice = 256;
    const started = Date.now();
    for (let i = 0; i < rows.length; i += slice) {
      if (ctx.isCancelled()) throw new CancelledError();
      const out = await classifier.predict(rows.slice(i, i + slice).map((r) => r.text));
      for (const p of out) {
        const full = new Float32Array(labels.length);
        full.set(p);
        probs.push(full);
      }
      const done = Math.min(rows.length, i + slice);
      const rate = done / Math.max((Date.now() - started) / 1000, 1e-3);
      await ctx.report.progress({ progress: at(phase, done / rows.length), step: done, totalSteps: rows.length, rowsPerSecond: rate, etaSeconds: (rows.length - done) / rate });
    }
    return computeMetrics(rows.map((r) => index.get(r.label)!), probs, labels);
  } finally {
    await classifier.close();
  }
}

async function encode(tokenizer: Tokenizer, texts: string[], maxLength: number, ctx: RunContext, from: number, to: number): Promise<Int32Array[]> {
  return encodeTextsAsync(tokenizer, texts, maxLength, {
    onProgress: (done, total) => {
      if (ctx.isCancelled()) throw new CancelledError();
      return ctx.report.progress({ progress: at("tokenizing", from + ((to - from) * done) / total), step: done, totalSteps: total });
    },
  });
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
