import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { AppError } from "../../lib/errors";
import { runErrors } from "../../lib/runs/web/errors";
import { countNewRows } from "../../lib/runs/new-rows";
import { resolveSource } from "../../lib/runs/resolve-request";
import type { RunComparison, RunSplit } from "../../lib/runs/types";
import { promoteVersion } from "../../lib/versions/promote";
import { rowsOfVersion } from "../../lib/rows/version-rows";
import { createTestDatabase, tmpDir, type TestDatabase } from "../helpers/db";
import { waitFor } from "../helpers/processes";
import { queueRun, runFinished, workerProcesses } from "../helpers/runs";

// Fair old-vs-new on a table that grows, through a real worker: the stable split keeps test rows
// apart from the serving version's training rows; other splits set the seen rows aside; rows "new";
// a label change; the errors endpoint against the confusion counts.

let t: TestDatabase;
let modelsDir: string;
const workers = workerProcesses(() => ({ DATABASE_URL: t.url, MODELS_DIR: modelsDir, SCHEDULE_TICK_MS: "200" }));
const ARGS = { columns: "label,text", num_train_epochs: 2 };

async function run(body: Record<string, unknown>) {
  const id = await queueRun(t.db, { ...ARGS, ...body });
  const r = await runFinished(t.db, id, 180_000);
  assert.equal(r.status, "succeeded", `${r.error}`);
  return { ...r, split: r.split as unknown as RunSplit, comparison: r.comparison as unknown as RunComparison | null, metricsOld: r.metricsOld as any, metricsNew: r.metricsNew as any };
}
const logsOf = async (id: string) => (await t.db.runLog.findMany({ where: { runId: id }, orderBy: { seq: "asc" } })).map((l) => l.message);
const testKeys = async (runId: string) => new Set((await t.db.runTestRow.findMany({ where: { runId }, select: { key: true } })).map((r) => r.key));

before(async () => {
  t = await createTestDatabase();
  modelsDir = tmpDir("models");
  // A user's table with its own primary key: the first 600 demo e-mails (ham and spam mixed).
  await t.db.$executeRawUnsafe(`CREATE TABLE grow (id int PRIMARY KEY, label text, text text)`);
  await t.db.$executeRawUnsafe(`INSERT INTO grow SELECT id, label, text FROM demo_email ORDER BY id LIMIT 600`);
  workers.start();
});

after(async () => {
  await workers.killAll();
  await t?.drop();
});

test("a table that grows: stable split sees no serving training row, random sets them aside, rows new trains on new rows", async () => {
  const first = await run({ table: "grow", seed: 13 });
  assert.equal(first.split.kind, "stable");
  assert.equal(first.split.key, "id");
  assert.equal(first.split.testRowsSeenByOld, 0);
  assert.equal(first.split.trainRows + first.split.testRows, 600);
  assert.equal(first.comparison, null, "nothing served");
  await promoteVersion(t.db, { modelName: "default", versionId: first.candidateVersionId! });
  const v1 = (await rowsOfVersion(t.db, first.candidateVersionId!))!;
  assert.equal(v1.trained.size, first.split.trainRows);
  assert.equal(v1.seen.size, 600);

  // The table grows by 300 rows; a run with another seed.
  await t.db.$executeRawUnsafe(`INSERT INTO grow SELECT id, label, text FROM demo_email ORDER BY id OFFSET 600 LIMIT 300`);
  const src = await resolveSource(t.db, { table: "grow", columns: { label: "label", text: "text" } });
  assert.ok(src.ok);
  const model = await t.db.model.findUniqueOrThrow({ where: { name: "default" } });
  assert.deepEqual(await countNewRows(t.db, model.id, src.source), { rows: 900, newRows: 300, serving: true });

  const grown = await run({ table: "grow", seed: 14 });
  assert.equal(grown.split.testRowsSeenByOld, 0, "no test row was a training row of the serving version");
  assert.equal(grown.split.scoredRows, grown.split.testRows);
  assert.equal(grown.split.newRows, 300);
  assert.equal(grown.comparison?.comparable, true);
  assert.equal(grown.metricsOld.samples, grown.split.scoredRows, "old scored on exactly the scored rows");
  assert.equal(grown.metricsNew.samples, grown.split.scoredRows, "new scored on the same rows");
  const firstTest = await testKeys(first.id);
  const grownTest = await testKeys(grown.id);
  assert.ok([...firstTest].every((k) => grownTest.has(k)), "every test row of the first run is still a test row");
  assert.ok(grownTest.size > firstTest.size);

  // A random split with another seed: most of its test rows were v1's training rows, reported and set aside.
  const random = await run({ table: "grow", split: "random", seed: 14 });
  const seen = random.split.testRowsSeenByOld!;
  assert.ok(seen > 50, `seen ${seen}`);
  assert.equal(random.split.scoredRows, random.split.testRows - seen);
  assert.equal(random.metricsOld.samples, random.split.scoredRows);
  assert.equal(random.metricsNew.samples, random.split.scoredRows);
  assert.ok((await logsOf(random.id)).some((m) => m.includes(`${seen} of the ${random.split.testRows} test rows were training rows of the serving version`)));
  const randomTest = await testKeys(random.id);
  assert.equal(randomTest.size, random.split.scoredRows);
  assert.ok([...randomTest].every((k) => firstTest.has(k) || Number(k) > 600), "scored rows are v1's test rows or rows added since");

  // rows "new": only rows added since train (warm, from v1); the version remembers v1's rows too.
  const fresh = await run({ table: "grow", rows: "new", seed: 14 });
  assert.equal(fresh.split.rows, "new");
  assert.equal(fresh.split.newRows, 300);
  assert.ok(fresh.split.trainRows > 150 && fresh.split.trainRows < 300, `trainRows ${fresh.split.trainRows}`);
  const freshVersion = await t.db.modelVersion.findUniqueOrThrow({ where: { id: fresh.candidateVersionId! } });
  assert.equal(freshVersion.parentId, first.candidateVersionId, "warm start from the serving version");
  const v3 = (await rowsOfVersion(t.db, fresh.candidateVersionId!))!;
  assert.equal(v3.trained.size, v1.trained.size + fresh.split.trainRows);
  assert.equal(v3.seen.size, 900);
  assert.ok((await logsOf(fresh.id)).some((m) => /Split \(stable.*new rows only/.test(m)));

  // The errors endpoint agrees with the confusion matrix, cell by cell, and reads texts back by key.
  const cm = grown.metricsNew.confusion_matrix as { labels: string[]; matrix: number[][] };
  let mistakes = 0;
  for (const [i, tl] of cm.labels.entries()) {
    for (const [j, pl] of cm.labels.entries()) {
      const cell = await runErrors(t.db, grown.id, { true: tl, predicted: pl, limit: 500, offset: 0 });
      assert.equal(cell.total, cm.matrix[i][j], `cell ${tl}→${pl}`);
      assert.equal(cell.rows.length, Math.min(500, cm.matrix[i][j]));
      if (i !== j) mistakes += cm.matrix[i][j];
    }
  }
  const all = await runErrors(t.db, grown.id, { limit: 5, offset: 0 });
  assert.equal(all.total, mistakes);
  const page = await runErrors(t.db, grown.id, { true: cm.labels[0], predicted: cm.labels[0], limit: 3, offset: 1 });
  for (const r of page.rows) {
    const [{ text }] = await t.db.$queryRawUnsafe<{ text: string }[]>(`SELECT text FROM grow WHERE id = $1`, Number(r.key));
    assert.equal(r.text, text, `text of row ${r.key}`);
    assert.equal(r.label, r.predicted);
    assert.ok(Math.abs(Object.values(r.scores).reduce((a, b) => a + b, 0) - 1) < 1e-3, "scores sum to 1");
  }
});

test("a table without a primary key is keyed by a hash of label and text; texts come back by that key", async () => {
  await t.db.$executeRawUnsafe(`CREATE TABLE nokey AS SELECT label, text FROM demo_email ORDER BY id LIMIT 300`);
  await t.db.model.create({ data: { name: "nokey-model", kind: "starter" } });
  const r = await run({ table: "nokey", model: "nokey-model", seed: 1 });
  assert.equal(r.split.key, "hash(label,text)");
  const errs = await runErrors(t.db, r.id, { true: "ham", predicted: "ham", limit: 2, offset: 0 });
  assert.ok(errs.rows.length > 0);
  for (const row of errs.rows) assert.ok(row.text && row.text.length > 0, "text read back by content hash");
});

test("a label change: the old model is not scored, the run says why, promotion needs confirmLabelChange", async () => {
  await t.db.$executeRawUnsafe(`CREATE TABLE tickets (id serial PRIMARY KEY, category text, body text)`);
  const topics = { account: ["password reset", "login fails", "change my email"], billing: ["invoice wrong", "refund please", "charged twice"], technical: ["app crashes", "error 500", "page loads slowly"] };
  const values: string[] = [];
  for (let i = 0; i < 240; i++) {
    const [label, phrases] = Object.entries(topics)[i % 3];
    values.push(`('${label}', '${phrases[i % 3]} ticket ${i} ${phrases[(i + 1) % 3]}')`);
  }
  await t.db.$executeRawUnsafe(`INSERT INTO tickets (category, body) VALUES ${values.join(", ")}`);
  const serving = (await t.db.model.findUniqueOrThrow({ where: { name: "default" } })).servingVersionId!;
  const r = await run({ table: "tickets", columns: "category,body", seed: 3 });
  assert.equal(r.metricsOld, null, "the old model was not evaluated");
  assert.equal(r.comparison?.comparable, false);
  assert.deepEqual(r.comparison?.labelChange, { added: ["account", "billing", "technical"], removed: ["ham", "spam"] });
  assert.match(r.comparison!.reason!, /not evaluated/);
  assert.ok((await logsOf(r.id)).some((m) => /shares no label with the data/.test(m)));
  assert.deepEqual(r.metricsNew.confusion_matrix.labels, ["account", "billing", "technical"]);

  await assert.rejects(promoteVersion(t.db, { modelName: "default", versionId: r.candidateVersionId! }), (err: unknown) => {
    assert.ok(err instanceof AppError);
    assert.equal(err.status, 409);
    assert.match(err.message, /adds account, billing, technical and removes ham, spam/);
    return true;
  });
  assert.equal((await t.db.model.findUniqueOrThrow({ where: { name: "default" } })).servingVersionId, serving, "nothing changed");
  await promoteVersion(t.db, { modelName: "default", versionId: r.candidateVersionId!, confirmLabelChange: true });
  assert.equal((await t.db.model.findUniqueOrThrow({ where: { name: "default" } })).servingVersionId, r.candidateVersionId);
});

test("scheduled retraining with auto-promotion, end to end: promoted on a fair run, refused when test rows were seen or too few", async () => {
  const { createSchedule } = await import("../../lib/schedules/store");
  await t.db.model.create({ data: { name: "sched-model", kind: "starter" } });
  const first = await run({ table: "grow", model: "sched-model", limit: 500, seed: 1 });
  await promoteVersion(t.db, { modelName: "sched-model", versionId: first.candidateVersionId! });
  const rule = { metric: "accuracy" as const, minDelta: -1, minTestRows: 10 };
  const scheduled = async (request: Record<string, unknown>, autoPromote: typeof rule) => {
    const s = await createSchedule(t.db, { model: "sched-model", cron: "0 0 1 1 *", request: { table: "grow", columns: "label,text", num_train_epochs: 1, ...request }, autoPromote }, null);
    await t.db.schedule.update({ where: { id: s.id }, data: { nextRunAt: new Date(Date.now() - 1000) } });
    const queued = await waitFor("the worker's ticker to queue the run", () => t.db.trainingRun.findFirst({ where: { scheduleId: s.id } }), 60_000);
    const done = await runFinished(t.db, queued.id, 180_000);
    assert.equal(done.status, "succeeded", `${done.error}`);
    assert.equal(done.trigger, "schedule");
    const logs = await waitFor("the auto-promotion decision", async () => {
      const l = await logsOf(done.id);
      return l.some((m) => /auto-promoted/i.test(m)) ? l : null;
    }, 30_000);
    return { s, run: done, logs, serving: (await t.db.model.findUniqueOrThrow({ where: { name: "sched-model" } })).servingVersionId };
  };

  // the stable split on the grown table: comparable, no seen rows, enough rows: promoted
  const fair = await scheduled({ seed: 5 }, rule);
  assert.ok(fair.logs.some((m) => /^Auto-promoted: accuracy/.test(m)), fair.logs.join("\n"));
  assert.equal(fair.serving, fair.run.candidateVersionId);
  const promotion = await t.db.promotion.findFirstOrThrow({ where: { versionId: fair.run.candidateVersionId! } });
  assert.equal(promotion.scheduleId, fair.s.id);

  // a random split with another seed: test rows the serving version trained on → not promoted
  const seen = await scheduled({ split: "random", seed: 99 }, rule);
  assert.ok((seen.run.split as { testRowsSeenByOld: number }).testRowsSeenByOld > 0);
  assert.ok(seen.logs.some((m) => /^Not auto-promoted: \d+ test rows were seen by the serving version/.test(m)), seen.logs.join("\n"));
  assert.equal(seen.serving, fair.run.candidateVersionId, "still the fair run's version");

  // too few scored rows for the rule
  const few = await scheduled({ seed: 6 }, { ...rule, minTestRows: 100_000 });
  assert.ok(few.logs.some((m) => /^Not auto-promoted: .*test rows/.test(m)), few.logs.join("\n"));
  assert.equal(few.serving, fair.run.candidateVersionId);
});
