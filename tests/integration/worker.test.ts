import assert from "node:assert/strict";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { promoteVersion } from "../../lib/versions/promote";
import { enqueueRun } from "../../lib/runs/web/enqueue";
import { requestCancel } from "../../lib/runs/queue";
import { createTestDatabase, tmpDir, type TestDatabase } from "../helpers/db";
import { createReviewTable, createSpellingTable } from "../helpers/fixtures";
import { startWorkerProcess, waitFor, type Proc } from "../helpers/processes";

// Runs executed by real worker processes against the embedded PostgreSQL.

let t: TestDatabase;
let modelsDir: string;
const procs: Proc[] = [];

function worker(extra: Record<string, string> = {}): Proc {
  const p = startWorkerProcess({ DATABASE_URL: t.url, MODELS_DIR: modelsDir, ...extra });
  procs.push(p);
  return p;
}

async function queue(body: Record<string, unknown>): Promise<string> {
  const r = await enqueueRun(t.db, body, null);
  assert.ok(r.ok, JSON.stringify(r));
  return r.id;
}

const FINISHED = ["succeeded", "failed", "cancelled"];
const finished = (id: string, timeoutMs = 120_000) =>
  waitFor(`run ${id} to finish`, async () => {
    const r = await t.db.trainingRun.findUniqueOrThrow({ where: { id } });
    return FINISHED.includes(r.status) ? r : null;
  }, timeoutMs);
const logsOf = async (id: string) => (await t.db.runLog.findMany({ where: { runId: id }, orderBy: { seq: "asc" } }));

before(async () => {
  t = await createTestDatabase();
  modelsDir = tmpDir("models");
  await createReviewTable(t.db, "reviews", 80);
  await createReviewTable(t.db, "one_label", 20, ["pos"]);
  await createReviewTable(t.db, "empty_reviews", 0);
  await createSpellingTable(t.db, "spellings", 600);
});

after(async () => {
  await Promise.all(procs.map((p) => p.stop("SIGKILL")));
  await t?.drop();
});

test("a run goes end to end through a real worker: old is empty, new is measured, a candidate is stored", async () => {
  const w = worker();
  const id = await queue({ table: "demo_email", columns: "label,text", limit: 700, p_of_train: 0.8, num_train_epochs: 3, seed: 7, fp16: true });
  const run = await finished(id);
  await w.stop();
  assert.equal(run.status, "succeeded", `${run.error}\n${w.output()}`);
  const stats = run.stats as { rows: number; trainRows: number; testRows: number; skippedRows: number };
  assert.equal(stats.rows, 700);
  assert.equal(stats.skippedRows, 0);
  assert.equal(stats.trainRows + stats.testRows, 700);
  assert.ok(Math.abs(stats.trainRows - 560) < 30, `about 80 % train (stable split by key): ${stats.trainRows}`);
  const calibration = run.stats as { calibrationTemperature?: number; calibrationRows?: number };
  assert.ok(calibration.calibrationTemperature! > 0, "the starter model is calibrated");
  assert.ok(Math.abs(calibration.calibrationRows! - stats.trainRows / 10) <= 3, `about 10 % of the training rows held out to fit the temperature: ${calibration.calibrationRows}`);
  assert.equal(run.metricsOld, null);
  const m = run.metricsNew as Record<string, any>;
  for (const k of ["accuracy", "precision", "recall", "f1", "macro_f1", "eval_loss"]) assert.equal(typeof m[k], "number", k);
  assert.ok(m.accuracy > 0.8, `accuracy ${m.accuracy}`);
  assert.deepEqual(Object.keys(m.per_class).sort(), ["ham", "spam"]);
  assert.equal(m.confusion_matrix.matrix.flat().reduce((a: number, b: number) => a + b, 0), stats.testRows);
  assert.ok((run.lossCurve as unknown[]).length > 0, "training loss per logging step");
  assert.equal(run.progress, 1);

  const logs = await logsOf(id);
  assert.deepEqual(logs.map((l) => l.seq), logs.map((_, i) => i + 1), "log sequence numbers are 1..n");
  assert.ok(logs.some((l) => /no old model to evaluate/.test(l.message)));
  assert.ok(logs.some((l) => /Ignored TrainingArguments "fp16"/.test(l.message)));

  const version = await t.db.modelVersion.findUniqueOrThrow({ where: { id: run.candidateVersionId! } });
  assert.deepEqual(version.labels, ["ham", "spam"]);
  const files = await t.db.artifactFile.findMany({ where: { hash: version.artifactHash }, select: { path: true } });
  assert.deepEqual(files.map((f) => f.path).sort(), ["config.json", "onnx/model.onnx", "tokenizer.json", "tokenizer_config.json"]);
  const model = await t.db.model.findUniqueOrThrow({ where: { name: "default" } });
  assert.equal(model.servingVersionId, null, "a candidate does not serve until promoted");

  // Promoted, it becomes the "old" model of the next run, which fine-tunes from it.
  await promoteVersion(t.db, { modelName: "default", versionId: version.id });
  const w2 = worker();
  const id2 = await queue({ table: "demo_email", columns: "label,text", limit: 700, num_train_epochs: 1, seed: 7 });
  const run2 = await finished(id2);
  await w2.stop();
  assert.equal(run2.status, "succeeded", run2.error ?? "");
  const old = run2.metricsOld as Record<string, number>;
  assert.ok(old && Math.abs(old.accuracy - m.accuracy) < 1e-9, "the old model scores on the same held-out rows as when it was new");
  assert.ok((await logsOf(id2)).some((l) => /Fine-tuning from the serving version/.test(l.message)));
  const v2 = await t.db.modelVersion.findUniqueOrThrow({ where: { id: run2.candidateVersionId! } });
  assert.equal(v2.parentId, version.id);
});

test("two workers and ten queued runs: every run is claimed exactly once", async () => {
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) ids.push(await queue({ table: "reviews", columns: "label,body", num_train_epochs: 1, seed: i }));
  const a = worker();
  const b = worker();
  const runs = await Promise.all(ids.map((id) => finished(id, 180_000)));
  await Promise.all([a.stop(), b.stop()]);
  for (const r of runs) assert.equal(r.status, "succeeded", r.error ?? "");
  for (const id of ids) {
    const claims = (await logsOf(id)).filter((l) => l.message.startsWith("Claimed by worker"));
    assert.equal(claims.length, 1, `run ${id} claimed ${claims.length} times`);
  }
  const workers = new Set(runs.map((r) => r.workerId));
  assert.ok(workers.size >= 1 && workers.size <= 2);
});

test("a running run can be cancelled; nothing is saved, and its spill files (texts and token ids) are gone", async () => {
  const dataDir = tmpDir("data");
  const spillFiles = () => (existsSync(path.join(dataDir, "spill")) ? readdirSync(path.join(dataDir, "spill")) : []);
  // calibration off: a table this small would otherwise train a probe, which keeps the ids in memory
  const w = worker({ DATA_DIR: dataDir, TEXT_SPILL_ROWS: "0", TOKEN_SPILL_MB: "0", STARTER_CALIBRATION: "off" });
  const id = await queue({ table: "demo_email", columns: "label,text", num_train_epochs: 200 });
  await waitFor("training to start", async () => (await t.db.trainingRun.findUniqueOrThrow({ where: { id } })).phase === "training");
  assert.equal(spillFiles().filter((n) => n.startsWith("texts-")).length, 2, "the run keeps its keys and texts in spill files");
  assert.ok(spillFiles().filter((n) => n.startsWith("ids-")).length >= 2, `its token ids in files too: ${spillFiles().join(", ")}`);
  const versionsBefore = await t.db.modelVersion.count();
  assert.equal(await requestCancel(t.db, id), true);
  const run = await finished(id, 30_000);
  await w.stop();
  assert.equal(run.status, "cancelled");
  assert.equal(run.candidateVersionId, null);
  assert.equal(await t.db.modelVersion.count(), versionsBefore);
  assert.equal(await requestCancel(t.db, id), false, "a finished run cannot be cancelled");
  assert.deepEqual(spillFiles(), [], "a cancelled run removed its spill file");
});

test("a data folder where no spill file can be made: the texts and the token ids stay in memory, with a warning each, and the run succeeds", async () => {
  const notADir = path.join(tmpDir("data"), "a-file");
  writeFileSync(notADir, "");
  const id = await queue({ table: "reviews", columns: "label,body", num_train_epochs: 1 });
  const w = worker({ DATA_DIR: notADir, TEXT_SPILL_ROWS: "0", TOKEN_SPILL_MB: "0", STARTER_CALIBRATION: "off" });
  const run = await finished(id);
  await w.stop();
  assert.equal(run.status, "succeeded", run.error ?? "");
  const logs = await logsOf(id);
  assert.equal(logs.filter((l) => l.level === "warn" && /texts stay in memory: no spill file/.test(l.message)).length, 1);
  assert.equal(logs.filter((l) => l.level === "warn" && /token ids stay in memory: no file could be made/.test(l.message)).length, 1);
  assert.ok(logs.some((l) => /token ids in memory/.test(l.message)));
});

test("token ids past TOKEN_SPILL_MB go to files: the run trains on them a bucket at a time, scores from the file, succeeds as accurately, and leaves no file; a small table's stay in memory", async () => {
  const dataDir = tmpDir("data");
  const env = { DATA_DIR: dataDir, STARTER_CALIBRATION: "off", TRAIN_THREADS: "1" };
  const run = { table: "demo_email", columns: "label,text", num_train_epochs: 3, seed: 5 };
  // 1 MiB: the demo table's ids (about 2 MiB) go to files, the 120 short reviews' (a few KiB) do not
  const w = worker({ ...env, TOKEN_SPILL_MB: "1" });
  const spilledId = await queue(run);
  const spilled = await finished(spilledId);
  const smallId = await queue({ table: "reviews", columns: "label,body", num_train_epochs: 1 });
  const small = await finished(smallId);
  await w.stop();
  assert.equal(small.status, "succeeded", small.error ?? "");
  assert.ok((await logsOf(smallId)).some((l) => /token ids in memory/.test(l.message)));
  const w2 = worker(env);
  const memoryId = await queue(run);
  const memory = await finished(memoryId);
  await w2.stop();
  assert.equal(spilled.status, "succeeded", spilled.error ?? "");
  assert.equal(memory.status, "succeeded", memory.error ?? "");
  const logs = (await logsOf(spilledId)).map((l) => l.message);
  assert.ok(logs.some((m) => /Token ids: about \d+ MiB \(more than TOKEN_SPILL_MB 1\)/.test(m)), logs.join("\n"));
  assert.ok(logs.some((m) => /token ids in \d+ files under .*spill \(the training rows in \d+ random buckets\)/.test(m)), logs.join("\n"));
  assert.ok((await logsOf(memoryId)).some((l) => /token ids in memory/.test(l.message)));
  const acc = (r: typeof spilled) => (r.metricsNew as { accuracy: number }).accuracy;
  assert.ok(acc(spilled) > 0.9 && Math.abs(acc(spilled) - acc(memory)) < 0.02, `spilled ${acc(spilled)} vs in memory ${acc(memory)}`);
  assert.equal(await t.db.runTestRow.count({ where: { runId: spilledId } }), await t.db.runTestRow.count({ where: { runId: memoryId } }), "every test row scored and saved");
  const left = existsSync(path.join(dataDir, "spill")) ? readdirSync(path.join(dataDir, "spill")) : [];
  assert.deepEqual(left, [], "no spill file outlives a run");
});

test("a queued run cancelled before any worker takes it never runs", async () => {
  const id = await queue({ table: "reviews", columns: "label,body" });
  assert.equal(await requestCancel(t.db, id), true);
  const w = worker();
  await new Promise((r) => setTimeout(r, 1500));
  await w.stop();
  const run = await t.db.trainingRun.findUniqueOrThrow({ where: { id } });
  assert.equal(run.status, "cancelled");
  assert.equal(run.workerId, null);
});

test("a worker killed with SIGKILL mid-run leaves the run failed with the reason", async () => {
  const victim = worker();
  const id = await queue({ table: "demo_email", columns: "label,text", num_train_epochs: 200 });
  await waitFor("training to start", async () => (await t.db.trainingRun.findUniqueOrThrow({ where: { id } })).phase === "training");
  await victim.stop("SIGKILL");
  const reaper = worker({ RUN_STALE_SECONDS: "2" });
  const run = await finished(id, 30_000);
  await reaper.stop();
  assert.equal(run.status, "failed");
  assert.match(run.error ?? "", /stopped responding \(no heartbeat/);
  assert.equal(run.candidateVersionId, null);
  assert.ok((await logsOf(id)).some((l) => l.level === "error" && /stopped responding/.test(l.message)));
});

test("runs that cannot train fail with a message a user understands and change nothing", async () => {
  const w = worker();
  const versionsBefore = await t.db.modelVersion.count();
  const single = await finished(await queue({ table: "one_label", columns: "label,body" }));
  const empty = await finished(await queue({ table: "empty_reviews", columns: "label,body" }));
  const tiny = await finished(await queue({ table: "reviews", columns: "label,body", limit: 1 }));
  await w.stop();
  assert.equal(single.status, "failed");
  assert.match(single.error ?? "", /at least two different labels.*"pos"/);
  assert.equal(empty.status, "failed");
  assert.match(empty.error ?? "", /no rows/);
  assert.equal(tiny.status, "failed");
  assert.equal(await t.db.modelVersion.count(), versionsBefore);
});

test("short texts get sub-word and word n-gram features by default: unseen words are classified by their spelling, and the next run continues with the same features", async () => {
  for (const name of ["spelling", "spelling-off"]) await t.db.model.create({ data: { name, kind: "starter", basePath: "starter" } });
  const w = worker();
  // Features on by default (one word per row): the order of the letters is learnt
  const id = await queue({ table: "spellings", columns: "label,word", seed: 3, model: "spelling" });
  const run = await finished(id);
  assert.equal(run.status, "succeeded", `${run.error}\n${w.output()}`);
  const accuracy = (run.metricsNew as { accuracy: number }).accuracy;
  assert.ok(accuracy >= 0.9, `unseen words by their spelling: accuracy ${accuracy}`);
  const logs = (await logsOf(id)).map((l) => l.message);
  assert.ok(logs.some((m) => /^Features: character 2–5-grams in \d+ buckets, runs of 2–3 adjacent tokens in \d+ buckets — on by default for short texts: the training texts' median is 1 word/.test(m)), logs.join("\n"));
  // Off (whole tokens only): the letters alone cannot tell the classes apart
  const off = await finished(await queue({ table: "spellings", columns: "label,word", seed: 3, model: "spelling-off", minn: 0, word_ngrams: 1 }));
  assert.equal(off.status, "succeeded", off.error ?? "");
  const offAccuracy = (off.metricsNew as { accuracy: number }).accuracy;
  assert.ok(offAccuracy < 0.75 && offAccuracy < accuracy - 0.2, `without the features: accuracy ${offAccuracy} (with: ${accuracy})`);
  assert.ok((await logsOf(off.id)).some((l) => /^Features: no character n-grams, no word n-grams — as requested/.test(l.message)));

  // Promoted, the next run (defaults) keeps the serving version's features and continues from it
  await promoteVersion(t.db, { modelName: "spelling", versionId: run.candidateVersionId! });
  const next = await finished(await queue({ table: "spellings", columns: "label,word", seed: 4, model: "spelling", num_train_epochs: 1 }));
  await w.stop();
  assert.equal(next.status, "succeeded", next.error ?? "");
  const nextLogs = (await logsOf(next.id)).map((l) => l.message);
  assert.ok(nextLogs.some((m) => /Fine-tuning from the serving version/.test(m)), nextLogs.join("\n"));
  assert.ok(nextLogs.some((m) => /^Features: character 2–5-grams .* — as the serving version's \(which this run continues from\)/.test(m)), nextLogs.join("\n"));
});
