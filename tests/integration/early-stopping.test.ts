import assert from "node:assert/strict";
import { after, afterEach, before, test } from "node:test";
import { requestStop } from "../../lib/runs/queue";
import { createTestDatabase, tmpDir, type TestDatabase } from "../helpers/db";
import { waitFor } from "../helpers/processes";
import { queueRun, runFinished, workerProcesses } from "../helpers/runs";
import type { LossPoint } from "../../lib/training/types";

// Early stopping and "Stop and keep the best so far" through a real worker, on the starter model
// (the encoder head's are tested in tests/unit/best-model.test.ts): either way the run succeeds
// with a candidate evaluated on the test rows.

let t: TestDatabase;
let modelsDir: string;
const workers = workerProcesses(() => ({ DATABASE_URL: t.url, MODELS_DIR: modelsDir }));

before(async () => {
  t = await createTestDatabase();
  modelsDir = tmpDir("models");
});

afterEach(async () => {
  await workers.killAll();
});

after(async () => {
  await t?.drop();
});

const logsOf = async (id: string) => (await t.db.runLog.findMany({ where: { runId: id }, orderBy: { seq: "asc" } })).map((l) => l.message);
const lastStep = (curve: unknown) => Math.max(...(curve as LossPoint[]).map((p) => p.step));

test("early stopping from the request: training ends after the second evaluation, the run saves a candidate", async () => {
  const w = workers.start();
  const id = await queueRun(t.db, { table: "demo_email", columns: "label,text", limit: 400, seed: 3, num_train_epochs: 20, early_stopping_patience: 1, early_stopping_threshold: 10 });
  const run = await runFinished(t.db, id);
  assert.equal(run.status, "succeeded", `${run.error}\n${w.output()}`);
  const logs = await logsOf(id);
  assert.ok(logs.some((m) => /^Training: 20 epochs, .*evaluation epoch, early stopping after 1 evaluations without improvement, keeping the best eval_loss/.test(m)), logs.join("\n"));
  const stopLine = logs.find((m) => /^early stopping at step \d+: eval_loss has not improved for 1 evaluations/.test(m));
  assert.ok(stopLine, logs.join("\n"));
  const perEpoch = Number(logs.find((m) => /^training static model:/.test(m))!.match(/\((\d+)\/epoch\)/)![1]);
  assert.equal(lastStep(run.lossCurve), 2 * perEpoch);
  assert.ok(run.candidateVersionId);
  assert.ok((run.metricsNew as { accuracy: number }).accuracy > 0.8);
});

test("stop and keep the best so far: a running run ends training early, evaluates and saves the best weights", async () => {
  const w = workers.start();
  const id = await queueRun(t.db, { table: "demo_email", columns: "label,text", limit: 400, seed: 3, num_train_epochs: 400, eval_strategy: "epoch" });
  // Past the calibration probe and the first epoch of the model itself.
  await waitFor("the model to train past its first epochs", async () => {
    const r = await t.db.trainingRun.findUniqueOrThrow({ where: { id } });
    return r.phase === "training" && (r.lossCurve as unknown as LossPoint[]).filter((p) => p.evalLoss !== undefined).length >= 3;
  });
  assert.equal(await requestStop(t.db, id), true);
  const run = await runFinished(t.db, id);
  assert.equal(run.status, "succeeded", `${run.error}\n${w.output()}`);
  assert.equal(run.stopRequested, true);
  const logs = await logsOf(id);
  assert.ok(logs.some((m) => /^Stop requested: training ends at its next step/.test(m)), logs.join("\n"));
  assert.ok(logs.some((m) => /^stopped on request at step \d+ \(epoch [\d.]+\); keeping the best evaluation's weights/.test(m)), logs.join("\n"));
  const perEpoch = Number(logs.find((m) => /^training static model:/.test(m))!.match(/\((\d+)\/epoch\)/)![1]);
  assert.ok(lastStep(run.lossCurve) < 400 * perEpoch, "training ended early");
  assert.ok(run.candidateVersionId, "a candidate was saved");
  assert.ok((run.metricsNew as { accuracy: number }).accuracy > 0.8);
  assert.equal(await requestStop(t.db, id), false, "a finished run cannot be stopped");
});
