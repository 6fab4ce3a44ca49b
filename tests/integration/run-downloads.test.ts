import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { hashPassword } from "../../lib/auth/password";
import { parseCsvRecords } from "../../lib/dashboard/csv";
import { METRICS_CSV_HEADER } from "../../lib/dashboard/run-metrics";
import type { LossPoint, Metrics } from "../../lib/training/types";
import { ADMIN, createTestDatabase, tmpDir, type TestDatabase } from "../helpers/db";
import { client, login, type Client } from "../helpers/http";
import { startWebProcess, startWorkerProcess, waitFor, type Proc } from "../helpers/processes";

// Over HTTP, against a real `next start` and worker: a run's metrics as CSV and JSON
// (GET /api/runs/:id/metrics.csv|json) hold exactly the stored numbers; the compare API
// (GET /api/runs/compare?ids=…) lines two runs up. Anonymous callers get 401, unknown runs 404.

let t: TestDatabase;
let web: Proc & { url: string };
let workerProc: Proc;
let admin: Client;
let viewer: Client;
const runs: string[] = [];

const REQUEST = { columns: "label,text", table: "demo_email", limit: 300, p_of_train: 0.8, num_train_epochs: 2, evaluation_strategy: "epoch", logging_steps: 2, seed: 3 };

async function finishedRun(id: string): Promise<any> {
  return waitFor(`run ${id}`, async () => {
    const r = await admin.json<any>(`/api/runs/${id}`);
    return ["succeeded", "failed", "cancelled"].includes(r.body.status) ? r.body : null;
  }, 120_000, 300);
}

before(async () => {
  t = await createTestDatabase();
  const env = { DATABASE_URL: t.url, NEXTAUTH_SECRET: t.authSecret, MODELS_DIR: tmpDir("models") };
  [web, workerProc] = await Promise.all([startWebProcess(env), Promise.resolve(startWorkerProcess(env))]);
  await t.db.user.create({ data: { email: "viewer@example.com", passwordHash: await hashPassword("viewer-password-1"), role: "viewer" } });
  admin = await login(web.url, ADMIN.email, ADMIN.password);
  viewer = await login(web.url, "viewer@example.com", "viewer-password-1");
  // two runs; the first one's version serves while the second runs, so the second has old and new metrics
  const first = await admin.json<{ id: string }>("/api/runs", { method: "POST", body: REQUEST });
  assert.equal(first.status, 202, JSON.stringify(first.body));
  const run1 = await finishedRun(first.body.id);
  assert.equal(run1.status, "succeeded", run1.error);
  assert.equal((await admin.json("/api/models/default/promote", { method: "POST", body: { versionId: run1.candidateVersionId } })).status, 200);
  const second = await admin.json<{ id: string }>("/api/runs", { method: "POST", body: { ...REQUEST, learning_rate: 0.05, seed: 4 } });
  const run2 = await finishedRun(second.body.id);
  assert.equal(run2.status, "succeeded", run2.error);
  runs.push(run1.id, run2.id);
});

after(async () => {
  await Promise.all([web?.stop(), workerProc?.stop()]);
  await t?.drop();
});

async function stored(id: string) {
  const r = await t.db.trainingRun.findUniqueOrThrow({ where: { id } });
  return { old: r.metricsOld as Metrics | null, new: r.metricsNew as Metrics | null, lossCurve: r.lossCurve as unknown as LossPoint[] };
}

test("metrics.csv: RFC 4180 CSV named by the run's id, every number as stored", async () => {
  const id = runs[1]!;
  const res = await viewer.fetch(`/api/runs/${id}/metrics.csv`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/csv/);
  assert.equal(res.headers.get("content-disposition"), `attachment; filename="metrics-${id}.csv"`);
  const records = parseCsvRecords(await res.text());
  assert.deepEqual(records[0], [...METRICS_CSV_HEADER]);
  const rows = records.slice(1).map((r) => Object.fromEntries(METRICS_CSV_HEADER.map((h, i) => [h, r[i]!])));
  for (const r of rows) assert.equal(r.section && r.metric && r.value !== "", true, JSON.stringify(r));
  const s = await stored(id);
  assert.ok(s.old && s.new, "the second run has both models' metrics");

  const value = (section: string, model: string, metric: string, extra: Partial<Record<(typeof METRICS_CSV_HEADER)[number], string>> = {}) => {
    const hit = rows.filter((r) => r.section === section && r.model === model && r.metric === metric && Object.entries(extra).every(([k, v]) => r[k] === v));
    assert.equal(hit.length, 1, `${section} ${model} ${metric} ${JSON.stringify(extra)}: ${hit.length} rows`);
    return Number(hit[0]!.value);
  };
  for (const side of ["old", "new"] as const) {
    const m = s[side]!;
    for (const key of ["accuracy", "precision", "recall", "f1", "macro_precision", "macro_recall", "macro_f1", "eval_loss", "samples"] as const) {
      assert.equal(value("metrics", side, key), m[key], `${side} ${key}`);
    }
    for (const [label, scores] of Object.entries(m.per_class)) {
      for (const key of ["precision", "recall", "f1", "support"] as const) assert.equal(value("per_class", side, key, { label }), scores[key], `${side} ${label} ${key}`);
    }
  }
  assert.deepEqual(Object.keys(s.new!.per_class).sort(), ["ham", "spam"]);
  // the loss curve: one record per logged value
  const train = s.lossCurve.filter((p) => typeof p.loss === "number");
  const evals = s.lossCurve.filter((p) => typeof p.evalLoss === "number");
  assert.ok(train.length >= 2 && evals.length >= 1, `a curve with train and eval loss: ${JSON.stringify(s.lossCurve).slice(0, 200)}`);
  assert.equal(rows.filter((r) => r.section === "loss_curve" && r.metric === "loss").length, train.length);
  assert.equal(rows.filter((r) => r.section === "loss_curve" && r.metric === "eval_loss").length, evals.length);
  for (const p of train) assert.equal(value("loss_curve", "new", "loss", { step: String(p.step) }), p.loss);
  for (const p of evals) assert.equal(value("loss_curve", "new", "eval_loss", { step: String(p.step), epoch: String(p.epoch) }), p.evalLoss);
});

test("metrics.json: the stored metrics and loss curve, named by the run's id", async () => {
  const id = runs[1]!;
  const res = await admin.fetch(`/api/runs/${id}/metrics.json`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  assert.equal(res.headers.get("content-disposition"), `attachment; filename="metrics-${id}.json"`);
  const body = (await res.json()) as any;
  const s = await stored(id);
  assert.equal(body.run.id, id);
  assert.equal(body.run.model, "default");
  assert.equal(body.run.table, "demo_email");
  assert.deepEqual(body.metrics, { old: s.old, new: s.new });
  assert.deepEqual(
    body.lossCurve,
    s.lossCurve.map((p) => ({ step: p.step, epoch: p.epoch, loss: p.loss ?? null, evalLoss: p.evalLoss ?? null, learningRate: p.lr ?? null })),
  );
  // the first run: nothing served, so no old metrics
  const first = (await (await admin.fetch(`/api/runs/${runs[0]}/metrics.json`)).json()) as any;
  assert.equal(first.metrics.old, null);
  assert.deepEqual(first.metrics.new, (await stored(runs[0]!)).new);
});

test("downloads: 404 naming an unknown run, 401 for anonymous callers", async () => {
  for (const ext of ["csv", "json"]) {
    const missing = await admin.json<any>(`/api/runs/no-such-run/metrics.${ext}`);
    assert.equal(missing.status, 404, ext);
    assert.match(missing.body.error, /no-such-run/);
    const anon = await client(web.url).fetch(`/api/runs/${runs[0]}/metrics.${ext}`);
    assert.equal(anon.status, 401, ext);
  }
});

test("compare API: the runs in the order asked, their differing arguments; 400 for fewer than two, 404 naming unknown ids, 401 anonymous", async () => {
  const [a, b] = runs as [string, string];
  const r = await viewer.json<any>(`/api/runs/compare?ids=${b},${a}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.runs.map((x: { id: string }) => x.id), [b, a]);
  assert.deepEqual(r.body.runs[1].metrics.new, (await stored(a)).new);
  const differing = r.body.arguments.filter((x: { differs: boolean }) => x.differs);
  const byName = (x: [string, unknown], y: [string, unknown]) => x[0].localeCompare(y[0]);
  assert.deepEqual(differing.map((x: { name: string; values: unknown[] }) => [x.name, x.values]).sort(byName), [
    ["learning_rate", [0.05, null]],
    ["seed", [4, 3]],
  ]);
  assert.equal(r.body.arguments[0].name, "model");
  assert.deepEqual(r.body.arguments[0].values, ["default", "default"]);
  assert.ok(r.body.arguments.some((x: { name: string; differs: boolean }) => x.name === "num_train_epochs" && !x.differs));

  const one = await admin.json<any>(`/api/runs/compare?ids=${a}`);
  assert.equal(one.status, 400);
  assert.equal(one.body.issues[0].path, "ids");
  assert.equal((await admin.json<any>("/api/runs/compare")).status, 400);
  const unknown = await admin.json<any>(`/api/runs/compare?ids=${a},nope-1,nope-2`);
  assert.equal(unknown.status, 404);
  assert.match(unknown.body.error, /"nope-1", "nope-2"/);
  assert.doesNotMatch(unknown.body.error, new RegExp(a));
  assert.equal((await client(web.url).json(`/api/runs/compare?ids=${a},${b}`)).status, 401);
});
