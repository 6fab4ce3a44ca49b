import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { claimNextRun } from "../../lib/runs/queue";
import { createRunReporter } from "../../lib/runs/reporter";
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
