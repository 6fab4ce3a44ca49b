import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { hashPassword } from "../../lib/auth/password";
import { createApiToken } from "../../lib/auth/tokens";
import { ADMIN, createTestDatabase, tmpDir, type TestDatabase } from "../helpers/db";
import { client, login, type Client } from "../helpers/http";
import { startWebProcess, type Proc } from "../helpers/processes";

// /api/schedules and /api/webhooks over HTTP on a real `next start` (no worker: nothing ticks or
// delivers here): roles, field-named 400s that change nothing, the secret never returned, and
// runs queued over the API with a token carrying trigger "api".

let t: TestDatabase;
let web: Proc & { url: string };
let admin: Client;
let viewer: Client;
let tokenClient: Client;

before(async () => {
  t = await createTestDatabase();
  web = await startWebProcess({ DATABASE_URL: t.url, NEXTAUTH_SECRET: t.authSecret, MODELS_DIR: tmpDir("models") });
  await t.db.user.create({ data: { email: "viewer@example.com", passwordHash: await hashPassword("viewer-password-1"), role: "viewer" } });
  admin = await login(web.url, ADMIN.email, ADMIN.password);
  viewer = await login(web.url, "viewer@example.com", "viewer-password-1");
  const adminUser = await t.db.user.findUniqueOrThrow({ where: { email: ADMIN.email } });
  tokenClient = client(web.url, { bearer: (await createApiToken(t.db, adminUser.id, "nightly")).token });
});

after(async () => {
  await web?.stop();
  await t?.drop();
});

const GOOD = { model: "default", cron: "0 3 * * *", request: { table: "demo_email", columns: "label,text", limit: 200 } };

test("schedules: admins and admin tokens create; viewers get 403, anonymous callers 401", async () => {
  assert.equal((await client(web.url).json("/api/schedules", { method: "POST", body: GOOD })).status, 401);
  assert.equal((await viewer.json("/api/schedules", { method: "POST", body: GOOD })).status, 403);
  assert.equal(await t.db.schedule.count(), 0);
  const created = await tokenClient.json<any>("/api/schedules", { method: "POST", body: { ...GOOD, autoPromote: { metric: "macro_f1", minDelta: 0.01, minTestRows: 30 } } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.model, "default");
  assert.equal(created.body.enabled, true);
  assert.ok(new Date(created.body.nextRunAt) > new Date(), "next tick ahead");
  assert.match(created.body.nextRunAt, /T03:00:00\.000Z$/, "cron in UTC");
  assert.deepEqual(created.body.autoPromote, { metric: "macro_f1", minDelta: 0.01, minTestRows: 30 });
  assert.equal(created.body.lastRun, null);
  assert.equal(created.body.lastSkippedAt, null);

  const list = await viewer.json<any>("/api/schedules");
  assert.equal(list.status, 200, "viewers can read schedules");
  assert.deepEqual(list.body.schedules.map((s: any) => s.id), [created.body.id]);
  assert.deepEqual((await viewer.json<any>("/api/schedules?model=default")).body.schedules.length, 1);
  assert.deepEqual((await viewer.json<any>("/api/schedules?model=other")).body.schedules.length, 0);
  assert.equal((await viewer.json<any>(`/api/schedules/${created.body.id}`)).body.cron, "0 3 * * *");
  assert.equal((await viewer.json(`/api/schedules/${created.body.id}`, { method: "PATCH", body: { enabled: false } })).status, 403);
  assert.equal((await viewer.json(`/api/schedules/${created.body.id}`, { method: "DELETE" })).status, 403);
});

test("schedules: bad bodies get a 400 naming the field, and nothing is created or changed", async () => {
  const cases: [unknown, string][] = [
    [{ ...GOOD, cron: "every night" }, "cron"],
    [{ ...GOOD, cron: "61 * * * *" }, "cron"],
    [{ ...GOOD, cron: "" }, "cron"],
    [{ ...GOOD, model: "no-such-model" }, "model"],
    [{ ...GOOD, model: undefined }, "model"],
    [{ ...GOOD, request: "table=demo_email" }, "request"],
    [{ ...GOOD, request: { columns: "label,text" } }, "request.table"],
    [{ ...GOOD, request: { ...GOOD.request, table: "no_such_table" } }, "request.table"],
    [{ ...GOOD, request: { ...GOOD.request, columns: "label" } }, "request.columns"],
    [{ ...GOOD, request: { ...GOOD.request, p_of_train: 2 } }, "request.p_of_train"],
    [{ ...GOOD, request: { ...GOOD.request, learning_rte: 0.1 } }, "request.learning_rte"],
    [{ ...GOOD, request: { ...GOOD.request, model: "other" } }, "request.model"],
    [{ ...GOOD, autoPromote: { metric: "auc", minDelta: 0.01, minTestRows: 10 } }, "autoPromote.metric"],
    [{ ...GOOD, autoPromote: { metric: "accuracy", minDelta: "1pp", minTestRows: 10 } }, "autoPromote.minDelta"],
    [{ ...GOOD, autoPromote: { metric: "accuracy", minDelta: 0.01, minTestRows: 0 } }, "autoPromote.minTestRows"],
    [{ ...GOOD, autoPromote: { metric: "accuracy", minDelta: 0.01, minTestRows: 2.5 } }, "autoPromote.minTestRows"],
    [{ ...GOOD, autoPromote: "yes" }, "autoPromote"],
    [{ ...GOOD, enabled: "no" }, "enabled"],
    [{ ...GOOD, cronn: "0 3 * * *" }, "cronn"],
    [[GOOD], "(body)"],
    [{ ...GOOD, request: { ...GOOD.request, table: "demo\u0000email" } }, "request.table"],
  ];
  const before = await t.db.schedule.count();
  for (const [body, field] of cases) {
    const r = await admin.json<any>("/api/schedules", { method: "POST", body });
    assert.equal(r.status, 400, `${JSON.stringify(body)} → ${r.status} ${JSON.stringify(r.body)}`);
    assert.ok(r.body.issues.some((i: { path: string }) => i.path === field), `${field}: ${JSON.stringify(r.body.issues)}`);
  }
  assert.equal(await t.db.schedule.count(), before, "nothing created");

  const [s] = (await admin.json<any>("/api/schedules")).body.schedules;
  for (const [body, field] of [[{ cron: "nope" }, "cron"], [{ request: { table: "no_such_table", columns: "label,text" } }, "request.table"], [{ model: "x" }, "model"], [{ autoPromote: { metric: "accuracy" } }, "autoPromote.minDelta"]] as const) {
    const r = await admin.json<any>(`/api/schedules/${s.id}`, { method: "PATCH", body });
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.ok(r.body.issues.some((i: { path: string }) => i.path === field), `${field}: ${JSON.stringify(r.body.issues)}`);
  }
  const unchanged = (await admin.json<any>(`/api/schedules/${s.id}`)).body;
  assert.deepEqual({ ...unchanged }, { ...s }, "nothing changed");
  assert.equal((await admin.json("/api/schedules/no-such-id", { method: "PATCH", body: { enabled: false } })).status, 404);
});

test("schedules: PATCH disables (no next tick), re-enables, changes cron and removes auto-promotion; DELETE removes", async () => {
  const [s] = (await admin.json<any>("/api/schedules")).body.schedules;
  const off = await admin.json<any>(`/api/schedules/${s.id}`, { method: "PATCH", body: { enabled: false } });
  assert.equal(off.status, 200);
  assert.equal(off.body.enabled, false);
  assert.equal(off.body.nextRunAt, null);
  const on = await admin.json<any>(`/api/schedules/${s.id}`, { method: "PATCH", body: { enabled: true, cron: "30 4 * * 1", autoPromote: null } });
  assert.equal(on.status, 200, JSON.stringify(on.body));
  assert.match(on.body.nextRunAt, /T04:30:00\.000Z$/);
  assert.equal(new Date(on.body.nextRunAt).getUTCDay(), 1, "a Monday");
  assert.equal(on.body.autoPromote, null);
  assert.equal((await admin.json(`/api/schedules/${s.id}`, { method: "DELETE" })).status, 200);
  assert.equal((await admin.json(`/api/schedules/${s.id}`)).status, 404);
  assert.equal((await admin.json(`/api/schedules/${s.id}`, { method: "DELETE" })).status, 404);
});

test("runs queued from a session carry trigger manual, with a bearer token trigger api", async () => {
  const body = { table: "demo_email", columns: "label,text", limit: 100 };
  const bySession = await admin.json<any>("/api/runs", { method: "POST", body });
  const byToken = await tokenClient.json<any>("/api/runs", { method: "POST", body });
  assert.equal(bySession.status, 202);
  assert.equal(byToken.status, 202);
  assert.equal((await admin.json<any>(`/api/runs/${bySession.body.id}`)).body.trigger, "manual");
  const view = (await admin.json<any>(`/api/runs/${byToken.body.id}`)).body;
  assert.equal(view.trigger, "api");
  assert.equal(view.scheduleId, null);
  for (const id of [bySession.body.id, byToken.body.id]) await admin.json(`/api/runs/${id}/cancel`, { method: "POST" });
});

test("webhooks: admins only; field-named 400s; the secret is never returned; deleted with its deliveries", async () => {
  const good = { url: "https://hooks.example.com/ftd", events: ["run.finished", "version.promoted"], secret: "s3cret-s3cret-s3cret" };
  assert.equal((await viewer.json("/api/webhooks", { method: "POST", body: good })).status, 403);
  assert.equal((await viewer.json("/api/webhooks")).status, 403);
  assert.equal((await client(web.url).json("/api/webhooks")).status, 401);
  const cases: [unknown, string][] = [
    [{ ...good, url: "ftp://hooks.example.com/x" }, "url"],
    [{ ...good, url: "javascript:alert(1)" }, "url"],
    [{ ...good, url: 42 }, "url"],
    [{ ...good, url: `https://example.com/${"a".repeat(2100)}` }, "url"],
    [{ ...good, events: ["run.started"] }, "events.0"],
    [{ ...good, events: "run.finished" }, "events"],
    [{ ...good, events: [] }, "events"],
    [{ ...good, secret: undefined }, "secret"],
    [{ ...good, secret: "short" }, "secret"],
    [{ ...good, extra: true }, "extra"],
    [null, "(body)"],
  ];
  for (const [body, field] of cases) {
    const r = await admin.json<any>("/api/webhooks", { method: "POST", body: body === null ? "null" : body });
    assert.equal(r.status, 400, `${JSON.stringify(body)?.slice(0, 80)} → ${r.status}`);
    assert.ok(r.body.issues.some((i: { path: string }) => i.path === field), `${field}: ${JSON.stringify(r.body.issues)}`);
  }
  const huge = await admin.json("/api/webhooks", { method: "POST", body: { ...good, secret: "x".repeat(20_000) } });
  assert.equal(huge.status, 413);
  assert.equal(await t.db.webhook.count(), 0, "nothing created");

  const created = await admin.json<any>("/api/webhooks", { method: "POST", body: good });
  assert.equal(created.status, 201);
  assert.equal(JSON.stringify(created.body).includes(good.secret), false, "the secret is not echoed");
  const listed = await admin.fetch("/api/webhooks");
  const text = await listed.text();
  assert.equal(text.includes(good.secret), false, "nor listed");
  assert.deepEqual(JSON.parse(text).webhooks.map((w: any) => [w.url, w.events, w.deliveries]), [[good.url, good.events, []]]);

  // a promotion writes a delivery for it (no worker runs here: it stays pending, listed)
  const v = await t.db.modelVersion.create({ data: { modelId: (await t.db.model.findUniqueOrThrow({ where: { name: "default" } })).id, artifactHash: "x", labels: ["ham", "spam"] } });
  assert.equal((await admin.json("/api/models/default/promote", { method: "POST", body: { versionId: v.id } })).status, 200);
  const [hook] = (await admin.json<any>("/api/webhooks")).body.webhooks;
  assert.deepEqual(hook.deliveries.map((d: any) => [d.event, d.status, d.attempts]), [["version.promoted", "pending", 0]]);

  assert.equal((await viewer.json(`/api/webhooks/${created.body.id}`, { method: "DELETE" })).status, 403);
  assert.equal((await admin.json(`/api/webhooks/${created.body.id}`, { method: "DELETE" })).status, 200);
  assert.equal((await admin.json(`/api/webhooks/${created.body.id}`, { method: "DELETE" })).status, 404);
  assert.equal(await t.db.webhookDelivery.count(), 0);
});
