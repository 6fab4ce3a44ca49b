import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { claimNextRun } from "../../lib/runs/queue";
import { createRunReporter } from "../../lib/runs/reporter";
import { appendRunLog } from "../../lib/runs/run-log";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { queueRun } from "../helpers/runs";

// A run's log lines are numbered per run (a reconnecting browser resumes after the last number it
// saw). Several parts of one run log at once (the starter's calibration probe trains and logs while
// the model trains and logs): every line must land, numbered in the order it was logged.

let t: TestDatabase;

before(async () => {
  t = await createTestDatabase({ prepare: true });
});

after(async () => {
  await t?.drop();
});

test("log lines written at once by several parts of a run all land, numbered 1, 2, 3 … in the order they were logged", async () => {
  const id = await queueRun(t.db, { table: "demo_email", columns: "label,text", limit: 100 });
  assert.equal(await claimNextRun(t.db, "w-reporter"), id);
  const report = createRunReporter(t.db, id, "w-reporter");
  const lines = Array.from({ length: 40 }, (_, i) => `line ${i}`);
  await Promise.all(lines.map((l, i) => report.log(l, i % 7 === 0 ? "warn" : "info")));
  const rows = await t.db.runLog.findMany({ where: { runId: id }, orderBy: { seq: "asc" } });
  assert.deepEqual(rows.map((r) => r.message), lines);
  assert.deepEqual(rows.map((r) => r.seq), lines.map((_, i) => i + 1));
  assert.deepEqual(rows.map((r) => r.level), lines.map((_, i) => (i % 7 === 0 ? "warn" : "info")));
});

test("appendRunLog from many connections at once, and inside a transaction that others wait on: every line lands with its own number, none lost, none retried", async () => {
  const id = await queueRun(t.db, { table: "demo_email", columns: "label,text", limit: 100 });
  // 60 lines from separate statements at once (the pool's connections race for the counter)
  await Promise.all(Array.from({ length: 60 }, (_, i) => appendRunLog(t.db, id, `parallel ${i}`)));
  // a transaction logs two lines (as a run's save does) while lines from outside it wait for its commit
  let outside: Promise<unknown> = Promise.resolve();
  await t.db.$transaction(async (tx) => {
    await appendRunLog(tx, id, "in transaction 1");
    outside = Promise.all([appendRunLog(t.db, id, "outside a"), appendRunLog(t.db, id, "outside b")]);
    await new Promise((r) => setTimeout(r, 300));
    await appendRunLog(tx, id, "in transaction 2");
  });
  await outside;
  const rows = await t.db.runLog.findMany({ where: { runId: id }, orderBy: { seq: "asc" } });
  assert.deepEqual(rows.map((r) => r.seq), Array.from({ length: 64 }, (_, i) => i + 1), "64 lines, numbered 1 … 64 without a gap");
  assert.deepEqual(new Set(rows.slice(0, 60).map((r) => r.message)), new Set(Array.from({ length: 60 }, (_, i) => `parallel ${i}`)));
  assert.deepEqual(rows.slice(60, 62).map((r) => r.message), ["in transaction 1", "in transaction 2"], "the transaction's lines are consecutive: the others waited for its commit");
  assert.deepEqual(new Set(rows.slice(62).map((r) => r.message)), new Set(["outside a", "outside b"]));
  assert.equal((await t.db.trainingRun.findUniqueOrThrow({ where: { id } })).logSeq, 64);
  await assert.rejects(appendRunLog(t.db, "no-such-run", "x"), /no such run/);
});
