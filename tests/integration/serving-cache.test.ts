import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { hashPassword } from "../../lib/auth/password";
import { TTL_MS } from "../../lib/db/invalidated-cache";
import { ADMIN, createTestDatabase, tmpDir, type TestDatabase } from "../helpers/db";
import { client, login, type Client } from "../helpers/http";
import { startWebProcess, startWorkerProcess, waitFor, type Proc } from "../helpers/processes";

// The web process caches what a prediction reads (an API token's user and role, which version of
// a model answers: lib/db/invalidated-cache.ts). Through the real routes of a `next start`, with
// the cache warm: a revoked token, a deleted user's token, a changed role, an Override, a moved
// alias and a changed model setting all take effect on the very next request; and a change made by
// another process (here, this one's own database client: a script, the worker) is seen within a
// NOTIFY's delay, well before the cache's TTL would have dropped it.

let t: TestDatabase;
let web: Proc & { url: string };
let worker: Proc;
let admin: Client;
let v1: string;
let v2: string;

const TEXT = "WIN a FREE prize now!!! click here";

async function newToken(userEmail?: string): Promise<{ id: string; token: string }> {
  const r = await admin.json<{ id: string; token: string }>("/api/tokens", { method: "POST", body: { name: "cache", ...(userEmail ? { userEmail } : {}) } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

const predictWith = (token: string, body: Record<string, unknown> = {}) => client(web.url, { bearer: token }).json<any>("/api/predict", { method: "POST", body: { inputs: TEXT, ...body } });

/** A few requests, so that whatever they read is cached. */
async function warm(token: string, body: Record<string, unknown> = {}): Promise<any> {
  let last: any;
  for (let i = 0; i < 3; i++) {
    last = await predictWith(token, body);
    assert.equal(last.status, 200, JSON.stringify(last.body));
  }
  return last.body;
}

before(async () => {
  t = await createTestDatabase();
  const env = { DATABASE_URL: t.url, NEXTAUTH_SECRET: t.authSecret, MODELS_DIR: tmpDir("models") };
  [web, worker] = await Promise.all([startWebProcess(env), Promise.resolve(startWorkerProcess(env))]);
  admin = await login(web.url, ADMIN.email, ADMIN.password);
  const queued = await admin.json<{ id: string }>("/api/runs", { method: "POST", body: { table: "demo_email", columns: "label,text", limit: 200, p_of_train: 0.8, num_train_epochs: 1 } });
  assert.equal(queued.status, 202, JSON.stringify(queued.body));
  const run = await waitFor(`run ${queued.body.id}`, async () => {
    const r = await admin.json<any>(`/api/runs/${queued.body.id}`);
    return ["succeeded", "failed", "cancelled"].includes(r.body.status) ? r.body : null;
  }, 180_000, 300);
  assert.equal(run.status, "succeeded", `${run.error}\n${worker.output()}`);
  v1 = run.candidateVersionId;
  // a second version of the same artifact: the answer's versionId tells which one served
  const model = await t.db.model.findUniqueOrThrow({ where: { name: "default" } });
  const copy = await t.db.modelVersion.findUniqueOrThrow({ where: { id: v1 } });
  v2 = (await t.db.modelVersion.create({ data: { modelId: model.id, artifactHash: copy.artifactHash, labels: copy.labels } })).id;
  assert.equal((await admin.json("/api/models/default/promote", { method: "POST", body: { versionId: v1 } })).status, 200);
});

after(async () => {
  await Promise.all([web?.stop(), worker?.stop()]);
  await t?.drop();
});

test("a revoked token is refused on the very next request after the DELETE returns", async () => {
  for (let i = 0; i < 5; i++) {
    const { id, token } = await newToken();
    await warm(token);
    assert.equal((await client(web.url, { bearer: token }).json("/api/me")).status, 200);
    const revoked = await admin.json(`/api/tokens/${id}`, { method: "DELETE" });
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    const next = await predictWith(token);
    assert.equal(next.status, 401, `round ${i}: ${JSON.stringify(next.body)}`);
  }
});

test("a deleted user's token and a changed role take effect on the very next request", async () => {
  await t.db.user.create({ data: { email: "viewer@example.com", passwordHash: await hashPassword("viewer-password-1"), role: "viewer" } });
  const user = await t.db.user.findUniqueOrThrow({ where: { email: "viewer@example.com" } });
  const { token } = await newToken("viewer@example.com");
  const asUser = client(web.url, { bearer: token });
  await warm(token);
  for (let i = 0; i < 2; i++) assert.equal((await asUser.json("/api/tokens")).status, 403, "a viewer may not list tokens");
  assert.equal((await admin.json(`/api/users/${user.id}`, { method: "PATCH", body: { role: "admin" } })).status, 200);
  assert.equal((await asUser.json("/api/tokens")).status, 200, "made an admin: the very next request may");
  assert.equal((await admin.json(`/api/users/${user.id}`, { method: "PATCH", body: { role: "viewer" } })).status, 200);
  assert.equal((await asUser.json("/api/tokens")).status, 403, "made a viewer again: the very next request may not");
  await warm(token);
  assert.equal((await admin.json(`/api/users/${user.id}`, { method: "DELETE" })).status, 200);
  assert.equal((await predictWith(token)).status, 401, "the deleted user's token is refused at once");
});

test("after Override, the very next prediction answers from the new version", async () => {
  const { token } = await newToken();
  let serving = v1;
  for (const next of [v2, v1, v2, v1]) {
    assert.equal((await warm(token)).versionId, serving);
    const r = await admin.json<any>("/api/models/default/promote", { method: "POST", body: { versionId: next } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal((await predictWith(token)).body.versionId, next);
    serving = next;
  }
});

test("a moved or removed alias and a changed setting of the model take effect on the very next request", async () => {
  const { token } = await newToken();
  assert.equal((await admin.json("/api/models/default/aliases", { method: "POST", body: { alias: "challenger", versionId: v1 } })).status, 200);
  assert.equal((await warm(token, { alias: "challenger" })).versionId, v1);
  assert.equal((await admin.json("/api/models/default/aliases", { method: "POST", body: { alias: "challenger", versionId: v2 } })).status, 200);
  assert.equal((await predictWith(token, { alias: "challenger" })).body.versionId, v2);
  await warm(token, { alias: "challenger" });
  assert.equal((await admin.json("/api/models/default/aliases/challenger", { method: "DELETE" })).status, 200);
  assert.equal((await predictWith(token, { alias: "challenger" })).status, 404);

  assert.equal((await warm(token)).predictions[0].top, undefined);
  const patched = await admin.json("/api/models/default", { method: "PATCH", body: { pipeline: { top_k: 1 } } });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  assert.equal((await predictWith(token)).body.predictions[0].top?.length, 1, "top_k applies from the next request");
  await admin.json("/api/models/default", { method: "PATCH", body: { pipeline: { top_k: null } } });
});

test("a change another process makes (its own SQL) is seen within a NOTIFY's delay, long before the TTL", async () => {
  const bound = Math.min(1500, TTL_MS / 2);
  const { id, token } = await newToken();
  const served = (await warm(token)).versionId;
  const other = served === v1 ? v2 : v1;
  let since = Date.now();
  await t.db.model.update({ where: { name: "default" }, data: { servingVersionId: other } });
  await waitFor("the other version to serve", async () => (await predictWith(token)).body.versionId === other, bound, 20);
  assert.ok(Date.now() - since < bound);

  await warm(token);
  since = Date.now();
  await t.db.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
  await waitFor("the revoked token to be refused", async () => (await predictWith(token)).status === 401, bound, 20);
  assert.ok(Date.now() - since < bound);
});
