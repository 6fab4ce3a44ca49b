import { readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { readStaticArtifact, writeStaticArtifact, type StaticArtifactInput } from "./artifact";
import { loadStarterClassifier } from "./classifier";
import { countWordsInBlocks, createTokenizePool, PARALLEL_MIN_TEXTS, type TokenizePool } from "../../tokenizers/parallel-tokenize";
import { encodeOne, loadIdEncoder } from "../../tokenizers/encode";
import type { RowSet } from "../../runs/row-table";
import { growVocabulary, initStaticParams } from "../../training/static-model";
import { featureLayout, type FeatureLayout } from "../../training/feature-pool";
import { describeSubwords, featureRows, medianWords, ngramTable, sameSubwords, subwordOptions, usesNgrams, usesPairs, type SubwordOptions } from "../../training/subword";
import { fillUniform, mulberry32 } from "../../training/rng";
import { evenlySpaced } from "../../training/even-sample";
import { casingOf, extendVocab, tokenizerFromCounts, tokenizerJson, vocabOf } from "../../training/tokenizer-builder";
import { throwIfCancelled } from "../../errors";
import { peakRssNote } from "../../process/peak-rss";
import { collectGarbageIfGrown } from "../../process/collect-garbage";
import { dataDir, env } from "../../env";
import { foldTemperature } from "../../training/temperature";
import { fitHeldOut, HOLD_OUT_MIN_ROWS, holdOutSlice, starterTemperature } from "./calibrate";
import { encodeRows, type EncodedRows } from "./encoded-rows";
import { spillDir } from "../../process/spill-files";
import { resolveTrainArgs, STARTER_DEFAULTS, trainStatic } from "../../training/train-static";
import type { Metrics, StaticParams } from "../../training/types";
import { evaluateClassifier } from "../../runs/evaluate";
import type { StarterRunRequest } from "../../validations/run-request";
import type { RunContext } from "../../runs/run-context";
import { scoreServing } from "../score-serving";
import { sameSet, type Candidate, type CandidateInput } from "../types";

// The starter model's part of a run: score the serving version through its serving path, tokenise (with the serving version's tokenizer when
// continuing from it, else one built from the training rows; words are counted and texts encoded on
// the tokenize pool's threads, a block of texts at a time, so that a big table's texts, which wait
// in a file (lib/runs/text-spill.ts), are never all in memory; the ids land in one shared buffer,
// or for a big table in files read back a bucket at a time (./encoded-rows.ts), and the training
// texts are released once encoded), fit a temperature on a probe model (../calibrate.ts
// probeTemperature; a big table holds a slice of its rows out instead), train every weight, fold
// the temperature into the head (so that the exported graph gives calibrated scores), write the
// artifact, evaluate it through the ONNX serving path.

type Input = CandidateInput<StarterRunRequest>;

export async function trainStarterCandidate(ctx: RunContext, input: Input): Promise<Candidate> {
  const metricsOld = await scoreServing(ctx, input);
  await input.phase("tokenizing");
  // Tokenising runs on worker threads too; they start now, so that their start-up overlaps with
  // building the vocabulary.
  const pool = createTokenizePool({ threads: input.train.length + input.test.length < PARALLEL_MIN_TEXTS ? 1 : undefined });
  try {
    return { ...(await trainWithPool(ctx, input, pool)), metricsOld };
  } finally {
    await pool.close();
  }
}

async function trainWithPool(ctx: RunContext, input: Input, pool: TokenizePool): Promise<Omit<Candidate, "metricsOld">> {
  const { report } = ctx;
  const { train, test, serving, staged } = input;
  let labels: string[];
  let init: StaticParams;
  let tokenizerFile: object;
  let tokenizerConfig: object;
  let maxLength: number;
  let vocab: string[];
  const prev = serving ? await readStaticArtifact(serving.dir).catch(() => null) : null;
  const continuable = serving !== null && sameSet(serving.labels, input.dataLabels) && prev !== null;
  const sample = sampleTexts(train);
  const { options: subwords, why } = subwordOptions(input.request, { medianWords: medianWords(sample), serving: continuable ? prev.subwords : null });
  const warm = continuable && sameSubwords(prev.subwords, subwords);
  if (warm && prev) {
    labels = prev.labels;
    maxLength = prev.maxLength;
    tokenizerConfig = JSON.parse(await readFile(path.join(serving.dir, "tokenizer_config.json"), "utf8"));
    // The serving version's tokens keep their ids and weights; words that became frequent since
    // (a table grows) join the vocabulary with fresh embedding rows.
    const old = vocabOf(JSON.parse(await readFile(path.join(serving.dir, "tokenizer.json"), "utf8")));
    vocab = extendVocab(old.vocab, await countWordsInBlocks(pool, train.length, (from, to) => textsOfRows(train, from, to), old.casing), STARTER_DEFAULTS.vocabSize, STARTER_DEFAULTS.minCount);
    tokenizerFile = tokenizerJson(vocab, old.casing);
    // The served token rows already hold their n-gram rows; continuing with n-gram rows at zero and
    // the served pair rows gives exactly the served model, which training then moves on from.
    init = withSubwordRows(growVocabulary(prev.params, vocab.length, input.seed), subwords, prev.folded?.pairs ?? null, input.seed);
    await report.log(
      `Fine-tuning from the serving version ${serving!.id} (same labels: ${labels.join(", ")}); ` +
        (vocab.length > old.vocab.length ? `${vocab.length - old.vocab.length} new tokens join its ${old.vocab.length}-token vocabulary` : `its ${old.vocab.length}-token vocabulary is kept`),
    );
  } else {
    if (serving && !sameSet(serving.labels, input.dataLabels)) await report.log(`The serving version's labels (${serving.labels.join(", ")}) differ from the data's (${input.dataLabels.join(", ")}): training a new model from scratch`, "warn");
    else if (serving) await report.log(`The serving version's features (${prev ? describeSubwords(prev.subwords) : "unreadable"}) differ from this run's (${describeSubwords(subwords)}): training a new model from scratch`, "warn");
    else await report.log("Training a new starter model from scratch (static embeddings + linear head)");
    labels = input.dataLabels;
    maxLength = STARTER_DEFAULTS.maxLength;
    const opts = { vocabSize: STARTER_DEFAULTS.vocabSize, maxLength };
    const countT0 = Date.now();
    const built = tokenizerFromCounts(await countWordsInBlocks(pool, train.length, (from, to) => textsOfRows(train, from, to), casingOf(opts)), opts);
    tokenizerFile = built.tokenizer;
    tokenizerConfig = built.tokenizerConfig;
    vocab = built.vocab;
    init = initStaticParams(featureRows(vocab.length, subwords), STARTER_DEFAULTS.dim, labels.length, input.seed);
    await report.log(`Built a ${built.vocab.length}-token vocabulary from the training rows in ${((Date.now() - countT0) / 1000).toFixed(1)} s (${pool.workers + 1} ${pool.workers ? "threads" : "thread"})${peakRssNote()}`);
  }
  // The tokenizer files go in first: the texts are encoded by the same loader that serves
  // (loadTokenizer on this folder, in this thread and each worker thread; train and test together).
  await writeFile(path.join(staged, "tokenizer.json"), JSON.stringify(tokenizerFile));
  await writeFile(path.join(staged, "tokenizer_config.json"), JSON.stringify(tokenizerConfig));
  const trainLabels = train.labelIndices(labels);
  const testLabels = test.labelIndices(labels);
  // With calibration on, a probe model is trained too; on a big table the slice is held out of the
  // model itself instead (./calibrate.ts HOLD_OUT_MIN_ROWS), and is known before anything is encoded.
  const calibrationOn = env().STARTER_CALIBRATION === "on";
  const holdOut = calibrationOn && train.length >= HOLD_OUT_MIN_ROWS ? await holdOutSlice(ctx, { trainLabels, labels, seed: input.seed }) : null;
  // A big table's ids go to files (./encoded-rows.ts); not with a probe, which picks rows of them in
  // memory. How big: the ids per row of 1,000 of the sample's texts (encoded here, a tenth of a
  // second) times the rows.
  const idBytes = holdOut !== null || !calibrationOn ? (train.length + test.length) * 4 * (2 + (await meanIds(staged, evenlySpaced(sample.length, 1000).map((i) => sample[i]), maxLength))) : 0;
  const spilling = idBytes > env().TOKEN_SPILL_MB * 2 ** 20;
  const spill = spilling ? { dir: spillDir(dataDir()), tag: ctx.runId, seed: input.seed } : null;
  if (spilling) await report.log(`Token ids: about ${(idBytes / 2 ** 20).toFixed(0)} MiB (more than TOKEN_SPILL_MB ${env().TOKEN_SPILL_MB}), so they go to files and each epoch reads them back`);
  const tokT0 = Date.now();
  const encoded = await encodeRows({
    pool,
    dir: staged,
    train,
    test,
    trainLabels,
    testLabels,
    maxLength,
    holdOut,
    spill,
    onProgress: (done, total) => {
      throwIfCancelled(ctx.signal);
      return report.progress({ progress: ctx.plan.at("tokenizing", done / total), step: done, totalSteps: total });
    },
  });
  try {
    input.releaseTrainTexts();
    if (encoded.warning) await report.log(encoded.warning, "warn");
    // Where each token's n-gram rows and each word pair's row are (lib/training/subword.ts, feature-pool.ts).
    const layout = featureLayout(vocab.length, ngramTable(vocab, subwords), subwords);
    await report.log(`Features: ${describeSubwords(subwords)} — ${why}`);
    await report.log(`Tokenised ${train.length + test.length} texts in ${((Date.now() - tokT0) / 1000).toFixed(1)} s (${pool.workers + 1} thread${pool.workers === 0 ? "" : "s"}); token ids ${encoded.where}${peakRssNote()}`);
    await pool.close();
    // the last blocks' texts and the threads' results, before training allocates its own
    collectGarbageIfGrown(16 * 2 ** 20);
    const artifact = { labels, tokenizer: tokenizerFile, tokenizerConfig, maxLength, subwords: { options: subwords, vocab } };
    return await trainEncoded(ctx, input, { encoded, init, layout, trainRows: train.length, testLabels, calibrationOn, artifact, parentId: warm ? serving!.id : null });
  } finally {
    encoded.close();
  }
}

/** What training needs once the rows are encoded. */
interface Encoded {
  encoded: EncodedRows;
  init: StaticParams;
  layout: FeatureLayout;
  /** the run's training rows (held-out ones included): what the default learning rate is for */
  trainRows: number;
  testLabels: Int32Array;
  calibrationOn: boolean;
  /** the version's files but its weights */
  artifact: Omit<StaticArtifactInput, "params">;
  /** the serving version it continues from, or null */
  parentId: string | null;
}

/** Trains on the encoded rows, folds the temperature in, writes the artifact and scores it through the ONNX serving path. */
async function trainEncoded(ctx: RunContext, input: Input, e: Encoded): Promise<Omit<Candidate, "metricsOld">> {
  const { report } = ctx;
  const { test, staged } = input;
  const { encoded, init, layout, calibrationOn } = e;
  const { labels } = e.artifact;
  await input.phase("training");
  const args = resolveTrainArgs(input.request, e.trainRows);
  const threads = env().TRAIN_THREADS ?? os.availableParallelism();
  await report.log(
    `Training: ${args.numTrainEpochs} epochs, batch size ${args.batchSize}, learning rate ${args.learningRate}` +
      (input.request.learning_rate === undefined ? ` (the default for ${e.trainRows} rows × ${args.numTrainEpochs} epochs)` : "") +
      `, weight decay ${args.weightDecay}, evaluation ${args.evaluationStrategy}` +
      (args.earlyStoppingPatience ? `, early stopping after ${args.earlyStoppingPatience} evaluations without improvement` : "") +
      (args.loadBestModelAtEnd ? `, keeping the best ${args.metricForBestModel}` : ""),
  );
  // With calibration on and no rows held out (a small table), a probe model is trained too. With two
  // cores or more the probe trains on a worker thread while the model trains here, a core each
  // (neither needs the other: the probe's temperature is folded into the model afterwards); on one,
  // it trains first, as the first 40 % of the training phase.
  const probing = calibrationOn && !encoded.held;
  if (probing && !("trainIds" in encoded.train)) throw new Error("the calibration probe needs the training rows in memory");
  const inMemory = "trainIds" in encoded.train ? encoded.train : null;
  const alongside = probing && threads >= 2;
  const share = probing && !alongside ? 0.4 : 0;
  const probeStop = new AbortController();
  const stopProbe = () => probeStop.abort(ctx.signal.reason);
  ctx.signal.addEventListener("abort", stopProbe, { once: true });
  const probe = probing
    ? starterTemperature(ctx, {
        trainIds: inMemory!.trainIds,
        trainLabels: Array.from(inMemory!.trainLabels),
        labels,
        init,
        layout,
        args,
        threads: alongside ? 1 : threads,
        offThread: alongside,
        signal: probeStop.signal,
        seed: input.seed,
        onProgress: (f) => (alongside ? undefined : report.progress({ progress: ctx.plan.at("training", share * f) })),
      })
    : null;
  probe?.catch(() => {}); // awaited below; a model that fails first must not leave it unhandled
  let calibration = probe && !alongside ? await probe : null;
  if (!calibrationOn) await report.log("Calibration off (STARTER_CALIBRATION=off): the scores are the raw softmax", "warn");
  const trainStart = Date.now();
  let result: Awaited<ReturnType<typeof trainStatic>>;
  try {
    result = await trainStatic({
      threads: alongside ? 1 : threads,
      kernels: env().STARTER_KERNELS,
      ...encoded.train,
      evalIds: encoded.test,
      evalLabels: e.testLabels,
      init,
      layout,
      args,
      hooks: {
        onStep: ({ step, totalSteps }) => {
          const rate = step / Math.max((Date.now() - trainStart) / 1000, 1e-3);
          return report.progress({
            progress: ctx.plan.at("training", share + (1 - share) * (step / totalSteps)),
            step,
            totalSteps,
            etaSeconds: (totalSteps - step) / Math.max(rate, 1e-9),
            rowsPerSecond: rate * args.batchSize,
          });
        },
        onLog: (m) => report.log(m),
        onLossPoint: (p) => report.lossPoint(p),
        signal: ctx.signal,
        stop: ctx.stop,
      },
    });
    if (alongside) calibration = await probe!;
  } catch (err) {
    probeStop.abort(err);
    await probe?.catch(() => {});
    throw err;
  } finally {
    ctx.signal.removeEventListener("abort", stopProbe);
  }
  await report.log(`Trained ${result.steps} steps in ${((Date.now() - trainStart) / 1000).toFixed(1)} s${peakRssNote()}`);
  if (encoded.held) calibration = await fitHeldOut(ctx, result.params, encoded.held, { labels, layout });

  // Evaluated as it will serve: its exported graph's weights, through the flat graph (./classifier.ts).
  await input.phase("evaluating-new");
  const params = calibration ? foldTemperature(result.params, calibration.calibrationTemperature) : result.params;
  await writeStaticArtifact(staged, { ...e.artifact, params });
  const classifier = await loadStarterClassifier(staged);
  try {
    // the test ids came from this folder's tokenizer through the same loader (encodeRows): the graph scores them as it would the texts
    const { metrics: metricsNew, probs } = await evaluateClassifier(classifier, test, ctx, "evaluating-new", encoded.test);
    return { labels, parentId: e.parentId, metricsNew, predictionsNew: probs, stats: calibration ?? undefined };
  } finally {
    await classifier.close();
  }
}

/** Up to 10,000 evenly spaced training texts (what the median length and the size of the ids are estimated from), without reading the others. */
function sampleTexts(rows: RowSet): string[] {
  return rows.textsAt(evenlySpaced(rows.length, 10_000));
}

/** The rows' texts from … to - 1 (the blocks before are garbage by now: collected once they add up, ../../process/collect-garbage.ts). */
function textsOfRows(rows: RowSet, from: number, to: number): string[] {
  collectGarbageIfGrown();
  return rows.texts(from, to);
}

/** A token table (the vocabulary's rows) with the n-gram rows at zero and the pair rows (the served ones, or fresh) after it. */
function withSubwordRows(tokens: StaticParams, o: SubwordOptions, pairs: Float32Array | null, seed: number): StaticParams {
  const dim = tokens.dim;
  const ngramRows = usesNgrams(o) ? o.buckets : 0;
  const pairRows = usesPairs(o) ? o.pairBuckets : 0;
  if (ngramRows + pairRows === 0) return tokens;
  const embedding = new Float32Array((tokens.vocabSize + ngramRows + pairRows) * dim);
  embedding.set(tokens.embedding);
  const pairStart = (tokens.vocabSize + ngramRows) * dim;
  if (pairRows) {
    if (pairs && pairs.length === pairRows * dim) embedding.set(pairs, pairStart);
    else fillUniform(embedding.subarray(pairStart), 1 / dim, mulberry32(seed));
  }
  return { ...tokens, vocabSize: tokens.vocabSize + ngramRows + pairRows, embedding };
}

/** The mean count of ids the texts encode to, at most maxLength each, with the tokenizer in `dir`. */
async function meanIds(dir: string, texts: string[], maxLength: number): Promise<number> {
  if (texts.length === 0) return 0;
  const tok = await loadIdEncoder(dir);
  let ids = 0;
  for (const t of texts) ids += encodeOne(tok, t, maxLength).length;
  return ids / texts.length;
}
