import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { hashPassword } from "../../lib/auth/password";
import { ADMIN, createTestDatabase, tmpDir, type TestDatabase } from "../helpers/db";
import { client, login, type Client } from "../helpers/http";
import { startWebProcess, startWorkerProcess, waitFor, type Proc } from "../helpers/processes";

// The HTTP API of a real `next start` and worker process: auth and roles, validation that
// changes nothing, runs, Server-Sent Events, promotion and rollback, predictions.

let t: TestDatabase;
let web: Proc & { url: string };
let workerProc: Proc;
let admin: Client;
let viewer: Client;

before(async () => {
  t = await createTestDatabase();
  const modelsDir = tmpDir("models");
  // a 20 ms window, so that the concurrent predictions below share a batch
  const env = { DATABASE_URL: t.url, NEXTAUTH_SECRET: t.authSecret, MODELS_DIR: modelsDir, PREDICT_BATCH_WAIT_MS: "20" };
  [web, workerProc] = await Promise.all([startWebProcess(env), Promise.resolve(startWorkerProcess(env))]);
  await t.db.user.create({ data: { email: "viewer@example.com", passwordHash: await hashPassword("viewer-password-1"), role: "viewer" } });
  admin = await login(web.url, ADMIN.email, ADMIN.password);
  viewer = await login(web.url, "viewer@example.com", "viewer-password-1");
});

after(async () => {
  await Promise.all([web?.stop(), workerProc?.stop()]);
  await t?.drop();
});

const runRequest = (extra: Record<string, unknown> = {}) => ({
  columns: "label,text", table: "demo_email", limit: 600, p_of_train: 0.8, num_train_epochs: 2, seed: 3, ...extra,
});

async function finishedRun(id: string): Promise<any> {
  return waitFor(`run ${id}`, async () => {
    const r = await admin.json<any>(`/api/runs/${id}`);
    return ["succeeded", "failed", "cancelled"].includes(r.body.status) ? r.body : null;
  }, 120_000, 300);
}

test("anonymous callers get 401 from the API and pages redirect to the login page", async () => {
  const anon = client(web.url);
  for (const [path, method] of [["/api/runs", "GET"], ["/api/runs", "POST"], ["/api/predict", "POST"], ["/api/models", "GET"], ["/api/me", "GET"]] as const) {
    const r = await anon.json(path, { method, body: method === "POST" ? {} : undefined });
    assert.equal(r.status, 401, `${method} ${path}`);
  }
  for (const page of ["/", "/runs/new", "/predict"]) {
    const r = await anon.fetch(page);
    assert.ok([302, 303, 307, 308].includes(r.status), `${page} → ${r.status}`);
    assert.match(r.headers.get("location") ?? "", /\/login/);
  }
  assert.equal((await anon.fetch("/login")).status, 200);
  const wrong = await login(web.url, ADMIN.email, "not-the-password").catch((e: Error) => e);
  assert.ok(wrong instanceof Error, "a wrong password does not sign in");
});

test("bad run requests get a 400 naming the field, and queue nothing", async () => {
  const cases: [Record<string, unknown> | string, string][] = [
    [runRequest({ table: "no_such_table" }), "table"],
    [runRequest({ columns: "label,no_such_column" }), "columns"],
    [runRequest({ columns: "label" }), "columns"],
    [runRequest({ p_of_train: 1.5 }), "p_of_train"],
    [runRequest({ p_of_train: 0 }), "p_of_train"],
    [runRequest({ limit: 0 }), "limit"],
    [runRequest({ limit: "ten" }), "limit"],
    [runRequest({ learning_rate: "fast" }), "learning_rate"],
    [runRequest({ not_a_training_argument: 1 }), "not_a_training_argument"],
    [runRequest({ model: "no-such-model" }), "model"],
    [runRequest({ table: "User" }), "table"],
    [{ columns: "label,text" }, "table"],
    ["not json at all", "(body)"],
  ];
  const before = await t.db.trainingRun.count();
  for (const [body, field] of cases) {
    const r = await admin.json<any>("/api/runs", { method: "POST", body: typeof body === "string" ? body : body });
    assert.equal(r.status, 400, `${JSON.stringify(body)} → ${r.status}`);
    assert.ok(r.body.issues.some((i: { path: string }) => i.path === field), `${JSON.stringify(body)}: ${JSON.stringify(r.body.issues)}`);
    assert.match(r.body.error, field === "(body)" ? /body/ : new RegExp(field));
  }
  const both = await admin.json<any>("/api/runs", { method: "POST", body: runRequest({ table: "nope", p_of_train: 2 }) });
  assert.deepEqual(both.body.issues.map((i: { path: string }) => i.path).sort(), ["p_of_train", "table"], "all problems at once");
  assert.equal(await t.db.trainingRun.count(), before);
});

test("a viewer reads and predicts but cannot train, cancel, promote or manage tokens", async () => {
  assert.equal((await viewer.json("/api/runs")).status, 200);
  assert.equal((await viewer.json("/api/runs", { method: "POST", body: runRequest() })).status, 403);
  assert.equal((await viewer.json("/api/models/default/promote", { method: "POST", body: { versionId: "x" } })).status, 403);
  assert.equal((await viewer.json("/api/runs/x/cancel", { method: "POST", body: {} })).status, 403);
  assert.equal((await viewer.json("/api/tokens", { method: "POST", body: { name: "t" } })).status, 403);
  assert.equal((await viewer.json("/api/predict", { method: "POST", body: { inputs: "hi" } })).status, 409);
});

test("a demoted or deleted user loses their rights at once, with the session still open", async () => {
  const u = await t.db.user.create({ data: { email: "second-admin@example.com", passwordHash: await hashPassword("second-admin-pw"), role: "admin" } });
  const second = await login(web.url, "second-admin@example.com", "second-admin-pw");
  assert.equal((await second.json<{ role: string }>("/api/me")).body.role, "admin");
  await t.db.user.update({ where: { id: u.id }, data: { role: "viewer" } });
  assert.equal((await second.json<{ role: string }>("/api/me")).body.role, "viewer");
  assert.equal((await second.json("/api/runs", { method: "POST", body: runRequest() })).status, 403);
  await t.db.user.delete({ where: { id: u.id } });
  assert.equal((await second.json("/api/me")).status, 401);
});

test("API tokens: created once by an admin, work as Bearer, stored hashed, revocable", async () => {
  const created = await admin.json<{ id: string; token: string }>("/api/tokens", { method: "POST", body: { name: "ci" } });
  assert.equal(created.status, 201);
  const stored = await t.db.apiToken.findUniqueOrThrow({ where: { id: created.body.id } });
  assert.notEqual(stored.tokenHash, created.body.token);
  assert.ok(!JSON.stringify(stored).includes(created.body.token));
  const bearer = client(web.url, { bearer: created.body.token });
  const me = await bearer.json<{ email: string; role: string }>("/api/me");
  assert.deepEqual([me.status, me.body.email, me.body.role], [200, ADMIN.email, "admin"]);
  assert.equal((await client(web.url, { bearer: created.body.token + "x" }).json("/api/me")).status, 401);
  assert.equal((await admin.json(`/api/tokens/${created.body.id}`, { method: "DELETE" })).status, 200);
  assert.equal((await bearer.json("/api/me")).status, 401);
});

test("train, stream, promote, predict, re-train, roll back", async () => {
  const before = await admin.json<any>("/api/predict", { method: "POST", body: { inputs: "hello" } });
  assert.equal(before.status, 409);
  assert.match(before.body.error, /Override/);

  const queued = await admin.json<{ id: string }>("/api/runs", { method: "POST", body: runRequest() });
  assert.equal(queued.status, 202);
  const run1 = await finishedRun(queued.body.id);
  assert.equal(run1.status, "succeeded", run1.error);
  assert.equal(run1.metrics.old, null);
  for (const k of ["accuracy", "precision", "f1", "macro_f1", "eval_loss"]) assert.equal(typeof run1.metrics.new[k], "number");
  assert.equal(run1.stats.rows, 600);
  assert.equal(run1.stats.trainRows + run1.stats.testRows, 600);
  assert.ok(Math.abs(run1.stats.trainRows - 480) < 30, `about 80 % train: ${run1.stats.trainRows}`);
  assert.deepEqual(run1.split, { kind: "stable", key: "id", rows: "all", trainRows: run1.stats.trainRows, testRows: run1.stats.testRows, testRowsSeenByOld: 0, scoredRows: run1.stats.testRows, newRows: 600 });
  assert.ok(run1.candidateVersionId);
  assert.equal(run1.candidateServing, false);

  // Server-Sent Events resume after Last-Event-ID with no gap or duplicate, and end.
  const logs = (await admin.json<{ lines: { seq: number }[] }>(`/api/runs/${run1.id}/logs`)).body.lines;
  const res = await admin.fetch(`/api/runs/${run1.id}/events`, { headers: { "last-event-id": "3" } });
  assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
  const text = await res.text();
  const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
  assert.deepEqual(ids, logs.filter((l) => l.seq > 3).map((l) => l.seq));
  assert.match(text, /event: end\n/);

  const promote = (versionId: string) => admin.json<any>("/api/models/default/promote", { method: "POST", body: { versionId } });
  const p1 = await promote(run1.candidateVersionId);
  assert.equal(p1.status, 200);
  assert.equal(p1.body.previousVersionId, null);
  const predicted = await admin.json<any>("/api/predict", { method: "POST", body: { inputs: ["WIN a FREE prize now!!! click here", "see you at the meeting tomorrow"] } });
  assert.equal(predicted.status, 200);
  assert.equal(predicted.body.versionId, run1.candidateVersionId);
  assert.equal(predicted.body.predictions.length, 2);
  for (const p of predicted.body.predictions) {
    assert.ok(["spam", "ham"].includes(p.label));
    assert.ok(Math.abs(p.scores.spam + p.scores.ham - 1) < 1e-5);
  }
  assert.equal((await admin.json<any>(`/api/runs/${run1.id}`)).body.candidateServing, true);

  // Predictions go out uncompressed and uncached, whatever the client accepts (the route's
  // Cache-Control: no-store, no-transform keeps Next.js's gzip off them).
  const many = JSON.stringify({ inputs: Array.from({ length: 200 }, (_, i) => `message ${i}: claim your free prize`) });
  for (const accept of ["gzip, deflate, br", "identity"]) {
    const res = await admin.fetch("/api/predict", { method: "POST", headers: { "content-type": "application/json", "accept-encoding": accept }, body: many });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-encoding"), null, `Accept-Encoding: ${accept}`);
    assert.equal(res.headers.get("cache-control"), "no-store, no-transform");
    assert.equal((await res.json()).predictions.length, 200);
  }

  // Concurrent predictions are scored together, yet each request gets its own rows with the scores
  // it gets alone; a request refused by validation (a text over the limit) fails alone.
  const requests = [["WIN cash now"], ["meeting at noon", "free prize inside", "lunch?"], ["your invoice is attached"], ["click here to claim"]];
  const alone: any[] = [];
  for (const inputs of requests) alone.push((await admin.json<any>("/api/predict", { method: "POST", body: { inputs } })).body.predictions);
  const [oversized, ...together] = await Promise.all([
    admin.json<any>("/api/predict", { method: "POST", body: { inputs: ["fine", "x".repeat(100_001)] } }),
    ...requests.map((inputs) => admin.json<any>("/api/predict", { method: "POST", body: { inputs } })),
  ]);
  assert.equal(oversized.status, 400);
  assert.match(JSON.stringify(oversized.body.issues), /at most 100,000 characters/);
  together.forEach((r, i) => {
    assert.equal(r.status, 200);
    assert.equal(r.body.predictions.length, requests[i].length, `request ${i}: its own rows`);
    r.body.predictions.forEach((p: any, j: number) => {
      assert.equal(p.label, alone[i][j].label);
      for (const label of ["spam", "ham"]) assert.ok(Math.abs(p.scores[label] - alone[i][j].scores[label]) <= 1e-6, `request ${i} text ${j} ${label}`);
    });
  });

  const run2 = await finishedRun((await admin.json<{ id: string }>("/api/runs", { method: "POST", body: runRequest({ num_train_epochs: 1 }) })).body.id);
  assert.equal(run2.status, "succeeded", run2.error);
  assert.ok(run2.metrics.old, "the serving version is evaluated as old");
  const p2 = await promote(run2.candidateVersionId);
  assert.equal(p2.body.previousVersionId, run1.candidateVersionId);
  const single = await admin.json<any>("/api/predict", { method: "POST", body: { inputs: "one text" } });
  assert.equal(single.body.versionId, run2.candidateVersionId, "the web process serves the new version without a restart");

  const back = await promote(run1.candidateVersionId);
  assert.equal(back.body.previousVersionId, run2.candidateVersionId);
  assert.equal((await admin.json<any>("/api/predict", { method: "POST", body: { inputs: "x" } })).body.versionId, run1.candidateVersionId);
  assert.equal(await t.db.promotion.count(), 3);
  assert.equal(await t.db.modelVersion.count(), 2, "history keeps both versions");

  // Any version downloads as a standalone export archive (viewers too).
  const archive = await viewer.fetch(`/api/models/versions/${run2.candidateVersionId}/export`);
  assert.equal(archive.status, 200);
  assert.match(archive.headers.get("content-disposition") ?? "", /attachment; filename="default-.*\.tar\.gz"/);
  const bytes = new Uint8Array(await archive.arrayBuffer());
  assert.deepEqual([bytes[0], bytes[1]], [0x1f, 0x8b], "gzip");
  assert.equal((await admin.fetch("/api/models/versions/nope/export")).status, 404);
  assert.equal((await client(web.url).fetch(`/api/models/versions/${run2.candidateVersionId}/export`)).status, 401);

  // The model's pipeline option top_k adds the k best labels to each prediction.
  assert.equal((await admin.json("/api/models/default", { method: "PATCH", body: { pipeline: { top_k: 1 } } })).status, 200);
  const top = await admin.json<any>("/api/predict", { method: "POST", body: { inputs: "x" } });
  assert.equal(top.body.predictions[0].top.length, 1);
  assert.equal(top.body.predictions[0].top[0].label, top.body.predictions[0].label);

  assert.equal((await promote("no-such-version")).status, 404);
  assert.equal((await admin.json("/api/models/default/promote", { method: "POST", body: {} })).status, 400);
  assert.equal((await admin.json<any>("/api/predict", { method: "POST", body: { inputs: 42 } })).status, 400);
  assert.equal((await admin.json<any>("/api/predict", { method: "POST", body: { inputs: "x", model: "nope" } })).status, 404);
});
