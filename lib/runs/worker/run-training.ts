import { rm } from "node:fs/promises";
import type { Prisma } from "../../db/generated/client";
import { throwIfCancelled } from "../../errors";
import { loadVersion, type ServingVersion } from "../../kinds";
import { trainerOf, trainerPhases } from "../../kinds/trainers";
import type { Metrics } from "../../training/types";
import { modelSettings, type ModelSettings } from "../../validations/model-config";
import { whyIgnored } from "../../validations/training-arguments";
import type { ParsedRun } from "../../validations/run-request";
import { artifactDir, stagingDir } from "../../versions/store";
import { fetchLabelledRows } from "../fetch-rows";
import { compareLabels, sharesALabel } from "../comparison";
import { fairSplit } from "../fair-split";
import type { RunSplit } from "../types";
import { rowsOfVersion } from "../../rows/version-rows";
import { resolveSource, type RunSource } from "../resolve-request";
import { pct, RunFailure, type Phase, type RunContext } from "../run-context";
import { runPhases } from "../phase-plan";
import { ignoredArguments, queuedRequest } from "./queued-request";
import { saveCandidate } from "./save-candidate";
import { dataDir, env } from "../../env";
import { peakRssNote } from "../../process/peak-rss";
import { TextSpill } from "../text-spill";
import { spillDir } from "../../process/spill-files";

// One training run, as a function of its id and a small helper object (the job-handler style of
// graphile-worker/pg-boss), in named steps: read the queued request, fetch rows, split, let the
// model's kind (lib/kinds) score the serving version ("old") and train and score a candidate
// ("new"), then store it as a candidate version and end the run succeeded in one transaction
// (save-candidate.ts). A kind may release the training rows' texts once it has what it needs from
// them (releaseTexts), so that a big table's texts do not stay in memory through training.

export { RunFailure, type RunContext };

export interface RunOutcome {
  candidateVersionId: string;
  metricsOld: Metrics | null;
  metricsNew: Metrics;
}

type QueuedRun = Prisma.TrainingRunGetPayload<{ include: { model: { include: { servingVersion: true } } } }>;

/** Phases with timings: entering one checks for cancellation and moves the progress bar. */
function phaseClock(ctx: RunContext) {
  const timings: Record<string, number> = {};
  const t0 = Date.now();
  let current: Phase | null = null;
  let started = t0;
  return {
    t0,
    async enter(phase: Phase): Promise<void> {
      throwIfCancelled(ctx.signal);
      if (current) timings[current] = (Date.now() - started) / 1000;
      current = phase;
      started = Date.now();
      await ctx.report.progress({ phase, progress: ctx.plan.at(phase, 0), step: null, totalSteps: null, etaSeconds: null, rowsPerSecond: null }, { force: true });
    },
    /** every phase's seconds, the current one (saving) and the total included */
    final: () => ({ ...timings, ...(current ? { [current]: (Date.now() - started) / 1000 } : {}), total: (Date.now() - t0) / 1000 }),
  };
}

export async function runTraining(ctx: RunContext): Promise<RunOutcome> {
  const clock = phaseClock(ctx);
  const run = await ctx.db.trainingRun.findUniqueOrThrow({ where: { id: ctx.runId }, include: { model: { include: { servingVersion: true } } } });
  const { parsed, source, settings } = await readRequest(ctx, run);
  const req = parsed.request;
  // The bar's phases: as if the serving version will be scored, until the data's labels say.
  ctx.plan.use(runPhases(trainerPhases(parsed.kind), { scoresOld: run.model.servingVersion !== null }));

  await clock.enter("fetching");
  // A big table's keys and texts wait in files under DATA_DIR while the run works (../text-spill.ts),
  // removed however the run ends. A folder it cannot write to leaves them in memory, with a warning.
  const spill: { files: TextSpill[]; error: string | null } = { files: [], error: null };
  try {
    const { rows, skipped, dataLabels, counts } = await fetchRows(ctx, run, source, req.limit, settings, clock.t0, (total) => {
      if (total < env().TEXT_SPILL_ROWS) return null;
      try {
        spill.files.push(new TextSpill(spillDir(dataDir()), `${ctx.runId}-keys`));
        spill.files.push(new TextSpill(spillDir(dataDir()), ctx.runId));
        return { keys: spill.files[0], texts: spill.files[1] };
      } catch (err) {
        for (const f of spill.files.splice(0)) f.close();
        spill.error = `${spillDir(dataDir())}: ${(err as Error).message}`;
        return null;
      }
    });
    if (spill.error) await ctx.report.log(`The keys and texts stay in memory: no spill file could be made (${spill.error})`, "warn");

    const seed = req.seed ?? 42;
    const serving = await servingVersion(ctx, run);
    const servingRows = serving ? await rowsOfVersion(ctx.db, serving.id) : null;
    const fair = fairSplit({ rows, kind: req.split, rowsSelection: req.rows, pOfTrain: req.p_of_train, seed, servingRows, serving: serving !== null });
    const comparison = compareLabels(serving?.labels ?? null, dataLabels);
    const oldModel = serving && sharesALabel(serving.labels, dataLabels) ? serving : null;
    ctx.plan.use(runPhases(trainerPhases(parsed.kind), { scoresOld: oldModel !== null }));
    const stats: Record<string, unknown> = { phases: ctx.plan.phases(), rows: rows.length, trainRows: fair.train.length, testRows: fair.test.length, skippedRows: skipped, labels: Object.fromEntries(counts) };
    await ctx.db.trainingRun.update({ where: { id: ctx.runId }, data: { stats: stats as object, split: fair.split as object, comparison: (comparison ?? undefined) as object | undefined } });
    await logSplit(ctx, fair.split, seed);
    if (comparison && !comparison.comparable) await ctx.report.log(comparison.reason!, "warn");

    const staged = await stagingDir();
    try {
      const candidate = await trainerOf(parsed.kind)(ctx, {
        train: fair.train,
        test: fair.test,
        dataLabels,
        serving,
        oldModel,
        settings,
        seed,
        request: req,
        staged,
        phase: clock.enter,
        releaseTrainTexts: () => fair.train.releaseTexts(),
      });
      const { metricsOld, metricsNew } = candidate;
      await ctx.report.log(`New model: accuracy ${pct(metricsNew.accuracy)}, weighted F1 ${pct(metricsNew.f1)}, eval loss ${metricsNew.eval_loss.toFixed(4)}`);

      // Saved as a candidate version: one transaction, only while this worker still holds the run.
      await clock.enter("saving");
      const versionId = await saveCandidate(ctx, staged, {
        modelId: run.model.id,
        labels: candidate.labels,
        parentId: candidate.parentId,
        /** as sent (with the training defaults), recorded with the version */
        request: run.request as Record<string, unknown>,
        metricsOld,
        metricsNew,
        testRows: fair.test,
        predictionsNew: candidate.predictionsNew,
        versionRows: fair.versionRows(candidate.parentId !== null && candidate.parentId === serving?.id ? servingRows : null),
        stats: { ...stats, ...(candidate.stats ?? {}) },
        timings: clock.final,
      });
      return { candidateVersionId: versionId, metricsOld, metricsNew };
    } finally {
      await rm(staged, { recursive: true, force: true });
    }
  } finally {
    for (const f of spill.files) f.close();
  }
}

async function logSplit(ctx: RunContext, split: RunSplit, seed: number): Promise<void> {
  const how = { stable: `stable, by a hash of each row's key ${split.key}`, positional: `positional, in the order of ${split.key}`, random: `random, stratified by label, seed ${seed}` }[split.kind];
  await ctx.report.log(
    `Split (${how}): ${split.trainRows} training${split.rows === "new" ? " (new rows only)" : ""} / ${split.testRows} test rows` +
      (split.newRows !== null && split.rows === "new" ? `; ${split.newRows} rows of the table are new to the serving version` : ""),
  );
  if (split.testRowsSeenByOld === null) {
    await ctx.report.log("The serving version has no record of the rows it trained on (it was made before versions recorded them): its scores may include rows it trained on.", "warn");
  } else if (split.testRowsSeenByOld > 0) {
    await ctx.report.log(
      `${split.testRowsSeenByOld} of the ${split.testRows} test rows were training rows of the serving version: set aside, both models are scored on the other ${split.scoredRows}.` +
        (split.kind !== "stable" ? ' Use split "stable" to keep test rows apart as the table grows.' : ""),
      "warn",
    );
  }
}

/**
 * The request as POST /api/runs parsed it with the schema of the model's kind; only the table and
 * columns are checked again (the database may have changed since). Logs what the run will read.
 */
async function readRequest(ctx: RunContext, run: QueuedRun): Promise<{ parsed: ParsedRun; source: RunSource; settings: ModelSettings }> {
  const parsed = queuedRequest(run);
  const req = parsed.request;
  const resolution = await resolveSource(ctx.db, req);
  if (!resolution.ok) throw new RunFailure(resolution.issues.map((i) => `${i.path}: ${i.message}`).join("; "));
  const source = resolution.source;
  const model = run.model;
  const settings = modelSettings(model);
  await ctx.report.log(`Model "${model.name}" (${model.kind}, base ${settings.base}); reading ${source.table.schema}.${source.table.table} (label: ${source.labelColumn}, text: ${source.textColumn})${req.limit ? `, at most ${req.limit} rows` : ""}`);
  for (const name of ignoredArguments(parsed)) {
    await ctx.report.log(`Ignored TrainingArguments "${name}": ${whyIgnored(name)}`, "warn");
  }
  return { parsed, source, settings };
}

/** The rows with a label and a text, checked against what the model can learn. */
async function fetchRows(ctx: RunContext, run: QueuedRun, source: RunSource, limit: number | undefined, settings: ModelSettings, t0: number, spill: (total: number) => { keys: TextSpill; texts: TextSpill } | null) {
  const { report } = ctx;
  const fetched = await fetchLabelledRows(ctx.db, { ...source, limit }, {
    onChunk: (read, total) => report.progress({ progress: ctx.plan.at("fetching", read / Math.max(1, total)), step: read, totalSteps: total }),
    spill,
  });
  const rows = fetched.rows;
  await report.log(`Fetched ${rows.length} rows${fetched.skipped ? ` (skipped ${fetched.skipped} with an empty label or text)` : ""} in ${((Date.now() - t0) / 1000).toFixed(1)} s${fetched.rows.textsSpilled ? " (keys and texts kept in files until the run ends)" : ""}${peakRssNote()}`);
  if (rows.length === 0) throw new RunFailure(`The table ${source.table.table} returned no rows with both a label and a text; nothing to train on.`);
  const counts = rows.labelCounts();
  if (counts.size < 2) throw new RunFailure(`Training needs at least two different labels, but every row is labelled "${[...counts.keys()][0]}".`);
  await report.log(`Labels: ${[...counts].map(([l, n]) => `${l} ${n}`).join(", ")}`);
  for (const [label, n] of counts) {
    if (n < 10 || n / rows.length < 0.05) {
      await report.log(`Label "${label}" has only ${n} of ${rows.length} rows (${((100 * n) / rows.length).toFixed(1)}%): the model will rarely predict it, and accuracy says little. Use more rows or a more balanced table.`, "warn");
    }
  }
  const dataLabels = [...counts.keys()].sort();
  const model = run.model;
  if (settings.labels && dataLabels.some((l) => !settings.labels!.includes(l))) {
    throw new RunFailure(`Model "${model.name}" only takes the labels ${settings.labels.join(", ")}, but the data also has ${dataLabels.filter((l) => !settings.labels!.includes(l)).join(", ")}.`);
  }
  if (settings.numLabels && dataLabels.length > settings.numLabels) {
    throw new RunFailure(`Model "${model.name}" is configured for ${settings.numLabels} labels, but the data has ${dataLabels.length}: ${dataLabels.join(", ")}.`);
  }
  return { rows, skipped: fetched.skipped, dataLabels, counts };
}

/** The model's serving version, loadable through its own kind; null when nothing serves. */
async function servingVersion(ctx: RunContext, run: QueuedRun): Promise<ServingVersion | null> {
  const serving = run.model.servingVersion;
  if (!serving) return null;
  const dir = await artifactDir(ctx.db, serving.artifactHash);
  return { id: serving.id, labels: serving.labels, dir, load: () => loadVersion(dir) };
}
