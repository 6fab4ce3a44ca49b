import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ADMIN, createTestDatabase, tmpDir, type TestDatabase } from "../helpers/db";
import { createReviewEncoderModel } from "../helpers/fixtures";
import { login, type Client } from "../helpers/http";
import { startWebProcess, startWorkerProcess, waitFor, type Proc } from "../helpers/processes";

// The run request contract through a real `next start` and worker: POST /api/runs parses the whole
// request once, with the schema of the model's kind (the default starter model, or a configured
// encoder); a bad value is a 400 naming each field and queues nothing; a good request with extra
// Hugging Face arguments runs, and the worker lists the ones its trainer ignores.

let t: TestDatabase;
let web: Proc & { url: string };
let modelsDir: string;
let admin: Client;
const workers: Proc[] = [];

before(async () => {
  t = await createTestDatabase();
  modelsDir = tmpDir("models");
  await createReviewEncoderModel(t.db, modelsDir, { rows: 80, layers: 1, hidden: 16, heads: 2 });
  web = await startWebProcess({ DATABASE_URL: t.url, NEXTAUTH_SECRET: t.authSecret, MODELS_DIR: modelsDir });
  admin = await login(web.url, ADMIN.email, ADMIN.password);
});

after(async () => {
  await Promise.all([web?.stop(), ...workers.map((w) => w.stop("SIGKILL"))]);
  await t?.drop();
});

const starter = (extra: Record<string, unknown> = {}) => ({ table: "reviews", columns: "label,body", p_of_train: 0.75, seed: 2, ...extra });
const encoder = (extra: Record<string, unknown> = {}) => starter({ model: "reviews-bert", ...extra });

async function post(body: unknown) {
  return admin.json<{ id?: string; error?: string; issues?: { path: string; message: string }[] }>("/api/runs", { method: "POST", body });
}

/** Runs queued work with a real worker process until `id` is finished; returns the run and its log. */
async function runToEnd(id: string) {
  const w = startWorkerProcess({ DATABASE_URL: t.url, MODELS_DIR: modelsDir });
  workers.push(w);
  const run = await waitFor(`run ${id}`, async () => {
    const r = await t.db.trainingRun.findUniqueOrThrow({ where: { id } });
    return ["succeeded", "failed", "cancelled"].includes(r.status) ? r : null;
  }, 120_000);
  await w.stop();
  const logs = (await t.db.runLog.findMany({ where: { runId: id }, orderBy: { seq: "asc" } })).map((l) => l.message);
  return { run, logs, output: w.output() };
}

test("a bad value is a 400 naming each field, before anything is queued, for either model kind", async () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    ["starter: head_type on a model without a head", starter({ head_type: "foo" }), ["head_type"]],
    ["starter: early_stopping_patience on a model without a head", starter({ early_stopping_patience: -3 }), ["early_stopping_patience"]],
    ["starter: learning_rate 0", starter({ learning_rate: 0 }), ["learning_rate"]],
    ["starter: num_train_epochs not a number", starter({ num_train_epochs: "x" }), ["num_train_epochs"]],
    ["starter: evaluation_strategy", starter({ evaluation_strategy: "sometimes" }), ["evaluation_strategy"]],
    ["starter: misspelt learning_rate", starter({ learnig_rate: 0.01 }), ["learnig_rate"]],
    ["starter: p_of_train out of range", starter({ p_of_train: 1.5 }), ["p_of_train"]],
    ["starter: an ignored argument of the wrong type", starter({ fp16: "yes" }), ["fp16"]],
    ["encoder: head_type", encoder({ head_type: "foo" }), ["head_type"]],
    ["encoder: early_stopping_patience -3", encoder({ early_stopping_patience: -3 }), ["early_stopping_patience"]],
    ["encoder: early stopping without evaluations", encoder({ early_stopping_patience: 2, eval_strategy: "no" }), ["early_stopping_patience"]],
    ["encoder: class_weight", encoder({ class_weight: [1, 2] }), ["class_weight"]],
    ["encoder: metric_for_best_model", encoder({ metric_for_best_model: "f1" }), ["metric_for_best_model"]],
    ["encoder: adam_beta2", encoder({ adam_beta2: 1.2 }), ["adam_beta2"]],
    ["unknown model: still every value checked", starter({ model: "nope", head_type: "foo" }), ["head_type", "model"]],
    ["all at once, with the catalogue's answer", encoder({ columns: "label,nope", learning_rate: -1, learnig_rate: 1, head_type: "cnn" }), ["columns", "head_type", "learnig_rate", "learning_rate"]],
  ];
  const before = await t.db.trainingRun.count();
  for (const [name, body, fields] of cases) {
    const r = await post(body);
    assert.equal(r.status, 400, `${name} → ${r.status} ${JSON.stringify(r.body)}`);
    assert.deepEqual([...new Set(r.body.issues!.map((i) => i.path))].sort(), fields, `${name}: ${JSON.stringify(r.body.issues)}`);
    for (const f of fields) assert.match(r.body.error!, new RegExp(f), `${name}: the message names ${f}`);
  }
  const misspelt = await post(starter({ learnig_rate: 0.01 }));
  assert.match(misspelt.body.issues![0].message, /did you mean "learning_rate"/);
  const starterHead = await post(starter({ head_type: "mlp" }));
  assert.match(starterHead.body.issues![0].message, /head option of encoder models/);
  assert.equal(await t.db.trainingRun.count(), before, "nothing was queued");
});

test("training defaults are checked by the same schema pieces, and a request is checked with them filled in", async () => {
  const put = (body: unknown) => admin.json<{ issues?: { path: string }[] }>("/api/settings/training-defaults", { method: "PUT", body });
  const bad = await put({ learning_rate: 0, evaluation_strategy: "sometimes", head_type: "mlp", limit: 10 });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.issues!.map((i) => i.path).sort(), ["evaluation_strategy", "head_type", "learning_rate", "limit"]);
  assert.equal((await put({ evaluation_strategy: "no", num_train_epochs: 2 })).status, 200);
  try {
    const before = await t.db.trainingRun.count();
    const refused = await post(encoder({ early_stopping_patience: 2 }));
    assert.equal(refused.status, 400, "the default evaluation strategy 'no' leaves early stopping nothing to watch");
    assert.deepEqual(refused.body.issues!.map((i) => i.path), ["early_stopping_patience"]);
    assert.equal(await t.db.trainingRun.count(), before);
    // Either spelling in the request overrides the default's.
    const queued = await post(encoder({ early_stopping_patience: 2, eval_strategy: "epoch" }));
    assert.equal(queued.status, 202, JSON.stringify(queued.body));
    const row = await t.db.trainingRun.findUniqueOrThrow({ where: { id: queued.body.id! } });
    const parsed = row.parsedRequest as { kind: string; request: Record<string, unknown> };
    assert.equal(parsed.kind, "encoder");
    assert.deepEqual([parsed.request.eval_strategy, parsed.request.evaluation_strategy, parsed.request.num_train_epochs], ["epoch", undefined, 2]);
    await t.db.trainingRun.delete({ where: { id: row.id } });
  } finally {
    assert.equal((await put({})).status, 200);
  }
});

test("a good starter request with extra Hugging Face arguments runs; the worker logs the ignored ones", async () => {
  const body = starter({ num_train_epochs: 2, label_smoothing_factor: 0.1, fp16: true, output_dir: "/tmp/checkpoints", report_to: ["none"], adam_beta1: 0.8 });
  const q = await post(body);
  assert.equal(q.status, 202, JSON.stringify(q.body));
  const row = await t.db.trainingRun.findUniqueOrThrow({ where: { id: q.body.id! } });
  assert.deepEqual(row.parsedRequest, {
    kind: "starter",
    request: { ...body, columns: { label: "label", text: "body" }, split: "stable", rows: "all" },
  }, "the parsed, typed request is stored with the run, defaults filled in");
  const view = await admin.json<{ request: Record<string, unknown> }>(`/api/runs/${q.body.id}`);
  assert.equal(view.body.request.columns, "label,body", "the run's page shows the request as sent");

  const { run, logs, output } = await runToEnd(q.body.id!);
  assert.equal(run.status, "succeeded", `${run.error}\n${output}`);
  const ignored = logs.filter((m) => m.startsWith("Ignored TrainingArguments")).map((m) => m.match(/"(\w+)"/)![1]).sort();
  assert.deepEqual(ignored, ["adam_beta1", "fp16", "output_dir", "report_to"], "the starter applies label_smoothing_factor");
  assert.ok(logs.some((m) => /Ignored TrainingArguments "fp16": a hardware/.test(m)), "with why");
  assert.ok(logs.some((m) => /^Training: 2 epochs/.test(m)));
});

test("a good encoder request with head options and extra arguments runs; the worker logs the ignored ones", async () => {
  const q = await post(encoder({ head_type: "mlp", head_hidden_size: 8, head_activation: "relu", class_weight: "balanced", adam_beta1: 0.8, num_train_epochs: 3, early_stopping_patience: 5, fp16: true }));
  assert.equal(q.status, 202, JSON.stringify(q.body));
  const { run, logs, output } = await runToEnd(q.body.id!);
  assert.equal(run.status, "succeeded", `${run.error}\n${output}`);
  const ignored = logs.filter((m) => m.startsWith("Ignored TrainingArguments")).map((m) => m.match(/"(\w+)"/)![1]);
  assert.deepEqual(ignored, ["fp16"], "the head trainer applies adam_beta1");
  assert.ok(logs.some((m) => /Training a new mlp head/.test(m)), logs.join("\n"));
  assert.ok(logs.some((m) => /^Training: 3 epochs.*evaluation epoch, early stopping after 5 evaluations/.test(m)), logs.join("\n"));
  assert.ok(logs.some((m) => /hidden 8 relu.*class weights/.test(m)), logs.join("\n"));
});

test("the worker reads only the stored parsed request: a run without one fails with the reason", async () => {
  const model = await t.db.model.findUniqueOrThrow({ where: { name: "default" } });
  const legacy = await t.db.trainingRun.create({ data: { modelId: model.id, request: starter() } });
  const { run } = await runToEnd(legacy.id);
  assert.equal(run.status, "failed");
  assert.match(run.error ?? "", /queued by an older version.*queue it again/);
});
