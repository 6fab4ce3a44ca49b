import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { hashPassword } from "../../lib/auth/password";
import { createApiToken } from "../../lib/auth/tokens";
import { ADMIN, createTestDatabase, tmpDir, type TestDatabase } from "../helpers/db";
import { client, login, type Client } from "../helpers/http";
import { startWebProcess, type Proc } from "../helpers/processes";
import { runFinished, workerProcesses } from "../helpers/runs";

// /api/sweeps over HTTP on a real `next start`: a grid's product and each run's arguments, seeded
// random draws that replay, 400s naming the field and the point with nothing queued (all or none),
// the cap, roles, cancel; then a real worker trains a 2-point sweep on demo_email and the sweep
// ranks its runs by the new model's scores.

let t: TestDatabase;
let web: Proc & { url: string };
let admin: Client;
let viewer: Client;
let tokenClient: Client;
const modelsDir = tmpDir("models");
const workers = workerProcesses(() => ({ DATABASE_URL: t.url, MODELS_DIR: modelsDir }));

before(async () => {
  t = await createTestDatabase();
  web = await startWebProcess({ DATABASE_URL: t.url, NEXTAUTH_SECRET: t.authSecret, MODELS_DIR: modelsDir });
  await t.db.user.create({ data: { email: "viewer@example.com", passwordHash: await hashPassword("viewer-password-1"), role: "viewer" } });
  admin = await login(web.url, ADMIN.email, ADMIN.password);
  viewer = await login(web.url, "viewer@example.com", "viewer-password-1");
  const adminUser = await t.db.user.findUniqueOrThrow({ where: { email: ADMIN.email } });
  tokenClient = client(web.url, { bearer: (await createApiToken(t.db, adminUser.id, "sweeper")).token });
});

after(async () => {
  await workers.killAll();
  await web?.stop();
  await t?.drop();
});

const REQUEST = { table: "demo_email", columns: "label,text", limit: 300 };
const counts = async () => ({ sweeps: await t.db.sweep.count(), runs: await t.db.trainingRun.count() });

test("sweeps: a grid queues its cartesian product, each run with the request and its point's arguments", async () => {
  const before = await counts();
  const r = await admin.json<any>("/api/sweeps", { method: "POST", body: { request: { ...REQUEST, seed: 3 }, grid: { learning_rate: [0.01, 0.1, 0.5], num_train_epochs: [1, 2] } } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.model, "default");
  assert.equal(r.body.total, 6);
  assert.deepEqual(r.body.counts, { queued: 6 });
  assert.equal(r.body.createdBy, ADMIN.email);
  assert.deepEqual(r.body.spec, { grid: { learning_rate: [0.01, 0.1, 0.5], num_train_epochs: [1, 2] } });
  assert.deepEqual(await counts(), { sweeps: before.sweeps + 1, runs: before.runs + 6 });

  const runs = await t.db.trainingRun.findMany({ where: { sweepId: r.body.id }, orderBy: { createdAt: "asc" } });
  const points = runs.map((run) => {
    const q = run.request as Record<string, unknown>;
    assert.equal(q.table, "demo_email");
    assert.equal(q.limit, 300);
    assert.equal(q.seed, 3);
    assert.equal(run.status, "queued");
    assert.equal(run.trigger, "manual");
    assert.equal((run.parsedRequest as any).request.learning_rate, q.learning_rate, "the worker reads the point's value");
    return `${q.learning_rate}×${q.num_train_epochs}`;
  });
  assert.deepEqual(points.sort(), ["0.01×1", "0.01×2", "0.1×1", "0.1×2", "0.5×1", "0.5×2"]);

  const view = await viewer.json<any>(`/api/sweeps/${r.body.id}`);
  assert.equal(view.status, 200, "viewers read sweeps");
  assert.equal(view.body.runs.length, 6);
  assert.deepEqual(Object.keys(view.body.runs[0].point), ["learning_rate", "num_train_epochs"]);
  assert.ok(view.body.runs.every((x: any) => x.rank === null && x.score === null && x.status === "queued"));
  assert.equal(view.body.best, null);
  assert.equal((await viewer.json<any>(`/api/runs/${runs[0]!.id}`)).body.sweepId, r.body.id);
  const list = await viewer.json<any>("/api/sweeps");
  assert.equal(list.status, 200);
  assert.equal(list.body.sweeps[0].id, r.body.id);
  assert.equal(list.body.sweeps[0].runs, undefined, "the list leaves the runs out");
  await t.db.trainingRun.updateMany({ where: { sweepId: r.body.id }, data: { status: "cancelled" } });
});

test("sweeps: random draws with a seed replay the same points; a token's sweep is triggered by the API", async () => {
  const body = { request: REQUEST, random: { learning_rate: { min: 0.001, max: 0.5, log: true }, num_train_epochs: [1, 2, 3], trials: 4, seed: 42 } };
  const pointsOf = async (id: string) =>
    (await admin.json<any>(`/api/sweeps/${id}`)).body.runs
      .map((x: any) => JSON.stringify(x.point))
      .sort();
  const a = await tokenClient.json<any>("/api/sweeps", { method: "POST", body });
  const b = await admin.json<any>("/api/sweeps", { method: "POST", body });
  assert.equal(a.status, 201, JSON.stringify(a.body));
  assert.equal(a.body.total, 4);
  assert.deepEqual(a.body.spec, { random: body.random });
  assert.deepEqual(await pointsOf(a.body.id), await pointsOf(b.body.id));
  assert.equal(new Set(await pointsOf(a.body.id)).size, 4, "four different points");
  const c = await admin.json<any>("/api/sweeps", { method: "POST", body: { ...body, random: { ...body.random, seed: 43 } } });
  assert.notDeepEqual(await pointsOf(c.body.id), await pointsOf(a.body.id));
  assert.ok((await t.db.trainingRun.findMany({ where: { sweepId: a.body.id } })).every((r) => r.trigger === "api"));
  const unseeded = await admin.json<any>("/api/sweeps", { method: "POST", body: { request: REQUEST, random: { learning_rate: { min: 0.01, max: 0.1 }, trials: 2 } } });
  assert.equal(unseeded.status, 201);
  assert.ok(Number.isInteger(unseeded.body.spec.random.seed), "a seed is drawn and kept, so the sweep can be replayed");
  await t.db.trainingRun.updateMany({ where: { status: "queued" }, data: { status: "cancelled" } });
});

test("sweeps: bad bodies get a 400 naming the field and the point, the cap is said, and nothing is queued", async () => {
  const grid = (g: Record<string, unknown>) => ({ request: REQUEST, grid: g });
  const cases: [unknown, string, RegExp?][] = [
    [grid({ learning_rate: [0.1, 0.01, -1] }), "grid.learning_rate[2]", /point 3 \(learning_rate=-1\).*greater than 0/],
    [grid({ learning_rate: [0.1], num_train_epochs: [1, "two"] }), "grid.num_train_epochs[1]", /point 2/],
    [grid({ learning_rte: [0.1] }), "grid.learning_rte[0]", /did you mean "learning_rate"/],
    [grid({ learning_rate: [] }), "grid.learning_rate"],
    [grid({ model: ["default"] }), "grid.model"],
    [grid({}), "grid"],
    [grid({ learning_rate: [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08], num_train_epochs: [1, 2, 3, 4, 5, 6, 7] }), "grid", /56 points \(8 × 7\).*at most 50/],
    [{ request: REQUEST }, "grid", /exactly one/],
    [{ request: REQUEST, grid: { learning_rate: [0.1] }, random: { learning_rate: [0.1], trials: 1 } }, "grid", /exactly one/],
    [{ request: { ...REQUEST, table: "no_such_table" }, grid: { learning_rate: [0.1] } }, "request.table"],
    [{ request: { ...REQUEST, p_of_train: 2 }, grid: { learning_rate: [0.1] } }, "request.p_of_train"],
    [{ request: "demo_email", grid: { learning_rate: [0.1] } }, "request"],
    [{ request: REQUEST, random: { learning_rate: { min: 0.01, max: 0.1 }, trials: 51, seed: 1 } }, "random.trials", /at most 50/],
    [{ request: REQUEST, random: { learning_rate: { min: 0.1, max: 0.01 }, trials: 2, seed: 1 } }, "random.learning_rate.max"],
    [{ request: REQUEST, random: { num_train_epochs: { min: -3, max: -1 }, trials: 2, seed: 1 } }, "random.num_train_epochs", /point 1 .*greater than 0/],
    [{ request: REQUEST, grid: { learning_rate: [0.1] }, sweeep: 1 }, "sweeep"],
  ];
  const before = await counts();
  for (const [body, path, message] of cases) {
    const r = await admin.json<any>("/api/sweeps", { method: "POST", body });
    assert.equal(r.status, 400, `${path}: ${JSON.stringify(r.body)}`);
    const issue = r.body.issues.find((i: any) => i.path === path);
    assert.ok(issue, `${path} named in ${JSON.stringify(r.body.issues)}`);
    if (message) assert.match(issue.message, message);
  }
  assert.deepEqual(await counts(), before, "nothing written");
});

test("sweeps: one bad point refuses the whole sweep (all or none)", async () => {
  const before = await counts();
  const r = await admin.json<any>("/api/sweeps", { method: "POST", body: { request: REQUEST, grid: { learning_rate: [0.01, 0.1], num_train_epochs: [1, 0] } } });
  assert.equal(r.status, 400);
  assert.deepEqual(r.body.issues.map((i: any) => i.path), ["grid.num_train_epochs[1]"], "named once, though two points hold it");
  assert.deepEqual(await counts(), before);
});

test("sweeps: only admins create and cancel; anonymous callers get 401", async () => {
  const body = { request: REQUEST, grid: { learning_rate: [0.1] } };
  assert.equal((await client(web.url).json("/api/sweeps", { method: "POST", body })).status, 401);
  assert.equal((await client(web.url).json("/api/sweeps")).status, 401);
  const before = await counts();
  assert.equal((await viewer.json("/api/sweeps", { method: "POST", body })).status, 403);
  assert.deepEqual(await counts(), before);
  const s = await admin.json<any>("/api/sweeps", { method: "POST", body });
  assert.equal((await viewer.json(`/api/sweeps/${s.body.id}/cancel`, { method: "POST" })).status, 403);
  assert.equal((await t.db.trainingRun.findFirstOrThrow({ where: { sweepId: s.body.id } })).status, "queued");
  assert.equal((await admin.json(`/api/sweeps/${s.body.id}/cancel`, { method: "POST" })).status, 202);
  assert.equal((await admin.json("/api/sweeps/nope")).status, 404);
  assert.equal((await admin.json("/api/sweeps/nope/cancel", { method: "POST" })).status, 404);
  const bad = await admin.json<any>(`/api/sweeps/${s.body.id}?metric=auc`);
  assert.equal(bad.status, 400);
  assert.equal(bad.body.issues[0].path, "metric");
});

test("sweeps: cancel ends the queued runs and asks the running one to stop; finished runs stay; 409 once none is left", async () => {
  const s = await admin.json<any>("/api/sweeps", { method: "POST", body: { request: REQUEST, grid: { learning_rate: [0.01, 0.1, 0.5] } } });
  const [a, b, c] = await t.db.trainingRun.findMany({ where: { sweepId: s.body.id }, orderBy: { createdAt: "asc" } });
  await t.db.trainingRun.update({ where: { id: a!.id }, data: { status: "running", workerId: "w1", startedAt: new Date(), heartbeatAt: new Date() } });
  await t.db.trainingRun.update({ where: { id: b!.id }, data: { status: "succeeded", finishedAt: new Date() } });
  const r = await admin.json<any>(`/api/sweeps/${s.body.id}/cancel`, { method: "POST" });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  assert.deepEqual(r.body.cancelled.sort(), [a!.id, c!.id].sort());
  const after = new Map((await t.db.trainingRun.findMany({ where: { sweepId: s.body.id } })).map((x) => [x.id, x]));
  assert.equal(after.get(a!.id)!.status, "running");
  assert.equal(after.get(a!.id)!.cancelRequested, true, "the running run is asked to stop");
  assert.equal(after.get(b!.id)!.status, "succeeded");
  assert.equal(after.get(c!.id)!.status, "cancelled");
  await t.db.trainingRun.update({ where: { id: a!.id }, data: { status: "cancelled", finishedAt: new Date() } });
  const again = await admin.json<any>(`/api/sweeps/${s.body.id}/cancel`, { method: "POST" });
  assert.equal(again.status, 409);
});

test("sweeps: a real worker trains a 2-point sweep on demo_email; the sweep ranks its runs by the new model's scores", { timeout: 300_000 }, async () => {
  await t.db.trainingRun.updateMany({ where: { status: { in: ["queued", "running"] } }, data: { status: "cancelled" } });
  const s = await admin.json<any>("/api/sweeps", { method: "POST", body: { request: { ...REQUEST, seed: 5 }, grid: { learning_rate: [0.0001, 0.3], num_train_epochs: [2] } } });
  assert.equal(s.status, 201, JSON.stringify(s.body));
  const worker = workers.start();
  for (const run of s.body.runs) {
    const done = await runFinished(t.db, run.id, 240_000);
    assert.equal(done.status, "succeeded", `run ${run.id}: ${done.error}\n--- the worker's output ---\n${worker.output()}`);
  }

  const byMetric = async (metric?: string) => (await viewer.json<any>(`/api/sweeps/${s.body.id}${metric ? `?metric=${metric}` : ""}`)).body;
  const view = await byMetric();
  const rows = await t.db.trainingRun.findMany({ where: { sweepId: s.body.id } });
  const score = (id: string, k: "macro_f1" | "accuracy") => (rows.find((r) => r.id === id)!.metricsNew as any)[k] as number;
  const expected = [...rows].sort((x, y) => score(y.id, "macro_f1") - score(x.id, "macro_f1") || score(y.id, "accuracy") - score(x.id, "accuracy") || +x.createdAt - +y.createdAt);
  assert.deepEqual(view.runs.map((r: any) => r.id), expected.map((r) => r.id));
  assert.deepEqual(view.runs.map((r: any) => r.rank), [1, 2]);
  assert.equal(view.metric, "macro_f1");
  assert.deepEqual(view.best, { runId: expected[0]!.id, score: score(expected[0]!.id, "macro_f1") });
  for (const r of view.runs) {
    assert.equal(r.macroF1, score(r.id, "macro_f1"));
    assert.equal(r.accuracy, score(r.id, "accuracy"));
    assert.ok(r.candidateVersionId, "each run stored a candidate");
  }
  assert.deepEqual(view.counts, { succeeded: 2 });
  const byAccuracy = await byMetric("accuracy");
  assert.equal(byAccuracy.metric, "accuracy");
  assert.ok(byAccuracy.runs[0].accuracy >= byAccuracy.runs[1].accuracy);
  assert.equal(byAccuracy.best.score, byAccuracy.runs[0].accuracy);
});
