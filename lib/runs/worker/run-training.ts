import { rm } from "node:fs/promises";
import { artifactDir, stagingDir } from "../../versions/store";
import { stratifiedSplit } from "../../training/split";
import { CancelledError } from "../../training/train-static";
import type { Metrics } from "../../training/types";
import { modelSettings } from "../../validations/model-config";
import { whyIgnored } from "../../validations/training-arguments";
import { evaluateServing } from "../../kinds/score-serving";
import { fetchLabelledRows, type LabelledRow } from "../fetch-rows";
import { ignoredArguments, queuedRequest } from "./queued-request";
import { resolveSource } from "../resolve-request";
import { saveCandidate } from "./save-candidate";
import { at, pct, RunFailure, type Phase, type RunContext } from "../run-context";
import { trainEncoderCandidate } from "../../kinds/encoder/train";
import { trainStarterCandidate, type Candidate, type CandidateInput } from "../../kinds/starter/train";

// One training run, as a function of its id and a small helper object (the job-handler style of
// graphile-worker/pg-boss): fetch rows, split, evaluate the serving version ("old"), train a
// candidate (starter or encoder model), store it as a candidate version and end the run succeeded
// in one transaction (save-candidate.ts).

export { CancelledError, RunFailure, type RunContext };

export interface RunOutcome {
  candidateVersionId: string;
  metricsOld: Metrics | null;
  metricsNew: Metrics;
}

export async function runTraining(ctx: RunContext): Promise<RunOutcome> {
  const { db, runId, report } = ctx;
  const timings: Record<string, number> = {};
  const t0 = Date.now();
  const clock: { phase: Phase | null; started: number } = { phase: null, started: t0 };
  const enter = async (phase: Phase) => {
    if (ctx.isCancelled()) throw new CancelledError();
    if (clock.phase) timings[clock.phase] = (Date.now() - clock.started) / 1000;
    clock.phase = phase;
    clock.started = Date.now();
    await report.progress({ phase, progress: at(phase, 0), step: null, totalSteps: null, etaSeconds: null, rowsPerSecond: null }, { force: true });
  };

  const run = await db.trainingRun.findUniqueOrThrow({ where: { id: runId }, include: { model: { include: { servingVersion: true } } } });
  /** as sent (with the training defaults), recorded with the version */
  const request = run.request as Record<string, unknown>;
  // Parsed and checked by POST /api/runs with the schema of the model's kind; only the table and
  // columns are checked again (the database may have changed since).
  const parsed = queuedRequest(run);
  const req = parsed.request;
  const resolution = await resolveSource(db, req);
  if (!resolution.ok) throw new RunFailure(resolution.issues.map((i) => `${i.path}: ${i.message}`).join("; "));
  const source = resolution.source;
  const model = run.model;
  const settings = modelSettings(model);
  await report.log(`Model "${model.name}" (${model.kind}, base ${settings.base}); reading ${source.table.schema}.${source.table.table} (label: ${source.labelColumn}, text: ${source.textColumn})${req.limit ? `, at most ${req.limit} rows` : ""}`);
  for (const name of ignoredArguments(parsed)) {
    await report.log(`Ignored TrainingArguments "${name}": ${whyIgnored(name)}`, "warn");
  }

  // 1. Fetch
  await enter("fetching");
  const fetched = await fetchLabelledRows(db, { ...source, limit: req.limit }, {
    onChunk: (read, total) => report.progress({ progress: at("fetching", read / Math.max(1, total)), step: read, totalSteps: total }),
  });
  const rows = fetched.rows;
  await report.log(`Fetched ${rows.length} rows${fetched.skipped ? ` (skipped ${fetched.skipped} with an empty label or text)` : ""} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
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
  const dataLabels = [...counts.keys()].sort();
  if (settings.labels && dataLabels.some((l) => !settings.labels!.includes(l))) {
    throw new RunFailure(`Model "${model.name}" only takes the labels ${settings.labels.join(", ")}, but the data also has ${dataLabels.filter((l) => !settings.labels!.includes(l)).join(", ")}.`);
  }
  if (settings.numLabels && dataLabels.length > settings.numLabels) {
    throw new RunFailure(`Model "${model.name}" is configured for ${settings.numLabels} labels, but the data has ${dataLabels.length}: ${dataLabels.join(", ")}.`);
  }

  // 2. Split
  const seed = req.seed ?? 42;
  const { train, test } = stratifiedSplit(rows, (r: LabelledRow) => r.label, req.p_of_train, seed);
  if (train.length === 0 || test.length === 0) {
    throw new RunFailure(`p_of_train ${req.p_of_train} of ${rows.length} rows leaves ${train.length} training and ${test.length} test rows; both need at least one.`);
  }
  const stats: Record<string, unknown> = { rows: rows.length, trainRows: train.length, testRows: test.length, skippedRows: fetched.skipped, labels: Object.fromEntries(counts) };
  await db.trainingRun.update({ where: { id: runId }, data: { stats: stats as object } });
  await report.log(`Split ${train.length} training / ${test.length} test rows (stratified by label, seed ${seed})`);

  // 3-6. Evaluate the serving version ("old"), train a candidate and evaluate it ("new")
  const serving = model.servingVersion;
  const servingInfo = serving ? { id: serving.id, labels: serving.labels, dir: await artifactDir(db, serving.artifactHash) } : null;
  const staged = await stagingDir();
  try {
    const input: Omit<CandidateInput<unknown>, "request"> = {
      train,
      test,
      dataLabels,
      serving: servingInfo,
      seed,
      staged,
      phase: enter,
    };
    let metricsOld: Metrics | null;
    let candidate: Candidate;
    if (parsed.kind === "encoder") {
      // The encoder trainer evaluates the serving version itself, on cached features when it can.
      const c = await trainEncoderCandidate(ctx, { ...input, request: parsed.request }, settings);
      metricsOld = c.metricsOld;
      candidate = c;
    } else {
      metricsOld = await evaluateServing(ctx, servingInfo, test, enter);
      candidate = await trainStarterCandidate(ctx, { ...input, request: parsed.request });
    }
    const metricsNew = candidate.metricsNew;
    await report.log(`New model: accuracy ${pct(metricsNew.accuracy)}, weighted F1 ${pct(metricsNew.f1)}, eval loss ${metricsNew.eval_loss.toFixed(4)}`);

    // 7. Save as a candidate version: one transaction, only while this worker still holds the run
    await enter("saving");
    const versionId = await saveCandidate(ctx, staged, {
      modelId: model.id,
      labels: candidate.labels,
      parentId: candidate.parentId,
      request,
      metricsOld,
      metricsNew,
      stats: { ...stats, ...(candidate.stats ?? {}) },
      timings: () => ({ ...timings, saving: (Date.now() - clock.started) / 1000, total: (Date.now() - t0) / 1000 }),
    });
    return { candidateVersionId: versionId, metricsOld, metricsNew };
  } finally {
    await rm(staged, { recursive: true, force: true });
  }
}
