import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import * as tar from "tar";
import { hashPassword } from "../../lib/auth/password";
import { predictingClassifier } from "../../lib/versions/serving";
import { ADMIN, createTestDatabase, tmpDir, type TestDatabase } from "../helpers/db";
import { login, type Client } from "../helpers/http";
import { startWebProcess, startWorkerProcess, waitFor, type Proc } from "../helpers/processes";

// The registry over HTTP on a real `next start` and worker: aliases (validation, admins only, a
// move is one atomic step, delete, the version must be the model's own), predictions by alias
// (the same scores as by version id; a moved alias answers from the next request on), version
// descriptions, and the model card in the export of a version trained on demo_email.

let t: TestDatabase;
let web: Proc & { url: string };
let worker: Proc;
let admin: Client;
let viewer: Client;
let modelsDir: string;
let v1: string;
let v2: string;
let run2: any;

const TEXTS = ["WIN a FREE prize now!!! click here", "see you at the meeting tomorrow", "cheap meds online"];

async function train(extra: Record<string, unknown>): Promise<any> {
  const queued = await admin.json<{ id: string }>("/api/runs", { method: "POST", body: { table: "demo_email", columns: "label,text", limit: 400, p_of_train: 0.8, num_train_epochs: 1, ...extra } });
  assert.equal(queued.status, 202, JSON.stringify(queued.body));
  const run = await waitFor(`run ${queued.body.id}`, async () => {
    const r = await admin.json<any>(`/api/runs/${queued.body.id}`);
    return ["succeeded", "failed", "cancelled"].includes(r.body.status) ? r.body : null;
  }, 180_000, 300);
  assert.equal(run.status, "succeeded", `${run.error}\n${worker.output()}`);
  return run;
}

before(async () => {
  t = await createTestDatabase();
  modelsDir = tmpDir("models");
  process.env.MODELS_DIR = modelsDir; // for the in-process cache check below
  const env = { DATABASE_URL: t.url, NEXTAUTH_SECRET: t.authSecret, MODELS_DIR: modelsDir };
  [web, worker] = await Promise.all([startWebProcess(env), Promise.resolve(startWorkerProcess(env))]);
  await t.db.user.create({ data: { email: "viewer@example.com", passwordHash: await hashPassword("viewer-password-1"), role: "viewer" } });
  admin = await login(web.url, ADMIN.email, ADMIN.password);
  viewer = await login(web.url, "viewer@example.com", "viewer-password-1");
  // v1 serves; v2 continues from it (a warm start), with other arguments
  v1 = (await train({ seed: 1 })).candidateVersionId;
  assert.equal((await admin.json("/api/models/default/promote", { method: "POST", body: { versionId: v1 } })).status, 200);
  run2 = await train({ seed: 2, num_train_epochs: 2, learning_rate: 0.3 });
  v2 = run2.candidateVersionId;
  await t.db.model.create({ data: { name: "other", kind: "starter" } });
});

after(async () => {
  await Promise.all([web?.stop(), worker?.stop()]);
  await t?.drop();
});

const setAlias = (c: Client, body: unknown, model = "default") => c.json<any>(`/api/models/${model}/aliases`, { method: "POST", body });
const predict = (body: Record<string, unknown>) => admin.json<any>("/api/predict", { method: "POST", body: { inputs: TEXTS, ...body } });
const aliasRows = () => t.db.modelAlias.findMany({ orderBy: { alias: "asc" } });

test("alias requests: bad input is a 400 naming the field, unknown model or version a 404, viewers 403; nothing changes", async () => {
  const bad: [unknown, string][] = [
    [{ alias: "Challenger", versionId: v2 }, "alias"],
    [{ alias: "serving", versionId: v2 }, "alias"],
    [{ alias: "x".repeat(41), versionId: v2 }, "alias"],
    [{ alias: "", versionId: v2 }, "alias"],
    [{ alias: "with space", versionId: v2 }, "alias"],
    [{ alias: "ok" }, "versionId"],
    [{ alias: "ok", versionId: 7 }, "versionId"],
    [{ alias: "ok", versionId: v2, colour: "red" }, "colour"],
  ];
  for (const [body, field] of bad) {
    const r = await setAlias(admin, body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.ok(r.body.issues.some((i: { path: string }) => i.path === field), `${JSON.stringify(body)} → ${JSON.stringify(r.body.issues)}`);
  }
  assert.equal((await setAlias(admin, { alias: "ok", versionId: v2 }, "no-such-model")).status, 404);
  const unknown = await setAlias(admin, { alias: "ok", versionId: "no-such-version" });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.issues[0].path, "versionId");
  const foreign = await setAlias(admin, { alias: "ok", versionId: v2 }, "other");
  assert.equal(foreign.status, 404, "a version of another model");
  assert.match(foreign.body.error, /belongs to another model/);
  assert.equal((await setAlias(viewer, { alias: "ok", versionId: v2 })).status, 403);
  assert.deepEqual(await aliasRows(), []);
  assert.equal((await viewer.json("/api/models/no-such-model/aliases")).status, 404);
});

test("predict by alias: the alias's version with the scores of predicting it by id; a moved alias answers from the next request", async () => {
  const set = await setAlias(admin, { alias: "challenger", versionId: v2 });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.deepEqual([set.body.alias, set.body.versionId, set.body.updatedBy], ["challenger", v2, ADMIN.email]);
  const listed = await viewer.json<any>("/api/models/default/aliases");
  assert.equal(listed.status, 200);
  assert.deepEqual(listed.body.aliases.map((a: any) => [a.alias, a.versionId]), [["challenger", v2]]);

  const byAlias = await predict({ model: "default", alias: "challenger" });
  assert.equal(byAlias.status, 200, JSON.stringify(byAlias.body));
  assert.equal(byAlias.body.versionId, v2);
  assert.equal(byAlias.body.alias, "challenger");
  const byId = await predict({ model: "default", versionId: v2 });
  assert.equal(byId.body.versionId, v2);
  assert.deepEqual(byAlias.body.predictions, byId.body.predictions);
  const serving = await predict({ model: "default" });
  assert.equal(serving.body.versionId, v1, "without an alias the serving version answers");
  assert.notDeepEqual(serving.body.predictions, byAlias.body.predictions, "v1 and v2 score differently");
  assert.equal((await predict({ alias: "serving" })).body.versionId, v1, '"serving" names the serving version');

  // Move it: the next request is answered by v1, with v1's scores.
  const moved = await setAlias(admin, { alias: "challenger", versionId: v1 });
  assert.equal(moved.status, 200);
  const next = await predict({ model: "default", alias: "challenger" });
  assert.equal(next.body.versionId, v1);
  assert.deepEqual(next.body.predictions, serving.body.predictions);
  assert.deepEqual((await aliasRows()).map((a) => [a.alias, a.versionId]), [["challenger", v1]], "moved, not duplicated");

  const unknown = await predict({ model: "default", alias: "nope" });
  assert.equal(unknown.status, 404);
  assert.deepEqual(unknown.body.issues.map((i: any) => i.path), ["alias"]);
  assert.match(unknown.body.error, /"nope"/);
  const both = await predict({ model: "default", alias: "challenger", versionId: v1 });
  assert.equal(both.status, 400);
  assert.ok(both.body.issues.some((i: any) => i.path === "alias"), JSON.stringify(both.body));
  assert.equal((await predict({ model: "other", versionId: v1 })).status, 404, "a version of another model");
  assert.equal((await predict({ model: "other", alias: "challenger" })).status, 404, "aliases are per model");
});

test("the classifier loaded for an alias is cached like the serving one", async () => {
  await setAlias(admin, { alias: "cached", versionId: v2 });
  const a = await predictingClassifier(t.db, "default", { alias: "cached" });
  const b = await predictingClassifier(t.db, "default", { alias: "cached" });
  const c = await predictingClassifier(t.db, "default", { versionId: v2 });
  assert.equal(a.versionId, v2);
  assert.equal(a.classifier, b.classifier, "the same loaded classifier");
  assert.equal(a.classifier, c.classifier, "one cache entry per version, however it is named");
  assert.deepEqual(await a.classifier.predict(["hello"]), await c.classifier.predict(["hello"]));
  assert.equal((await admin.json(`/api/models/default/aliases/cached`, { method: "DELETE" })).status, 200);
});

test("moving an alias is atomic: concurrent moves and predictions always find exactly one version", async () => {
  await setAlias(admin, { alias: "race", versionId: v1 });
  const moves = Array.from({ length: 12 }, (_, i) => setAlias(admin, { alias: "race", versionId: i % 2 ? v1 : v2 }));
  const reads = Array.from({ length: 24 }, () => predict({ model: "default", alias: "race" }));
  const [moved, read] = await Promise.all([Promise.all(moves), Promise.all(reads)]);
  assert.deepEqual(new Set(moved.map((r) => r.status)), new Set([200]));
  for (const r of read) {
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok([v1, v2].includes(r.body.versionId));
  }
  const rows = (await aliasRows()).filter((a) => a.alias === "race");
  assert.equal(rows.length, 1);
  const last = await predict({ model: "default", alias: "race" });
  assert.equal(last.body.versionId, rows[0].versionId, "the next request follows the last move");
  // Which version the race left it on is chance: remove it, so later tests see only their own aliases.
  await t.db.modelAlias.deleteMany({ where: { alias: "race" } });
});

test("deleting an alias: admins only, its version stays, then predictions by it are 404", async () => {
  await setAlias(admin, { alias: "gone", versionId: v2 });
  assert.equal((await viewer.json("/api/models/default/aliases/gone", { method: "DELETE" })).status, 403);
  const del = await admin.json<any>("/api/models/default/aliases/gone", { method: "DELETE" });
  assert.equal(del.status, 200);
  assert.deepEqual([del.body.alias, del.body.versionId, del.body.deleted], ["gone", v2, true]);
  assert.equal((await admin.json("/api/models/default/aliases/gone", { method: "DELETE" })).status, 404);
  assert.equal((await admin.json("/api/models/nope/aliases/gone", { method: "DELETE" })).status, 404);
  assert.equal((await predict({ alias: "gone" })).status, 404);
  assert.ok(await t.db.modelVersion.findUnique({ where: { id: v2 } }));
});

test("a version's description: admins edit it (≤ 2,000 characters), GET /api/models shows it with the aliases", async () => {
  const url = `/api/models/default/versions/${v2}`;
  const long = await admin.json<any>(url, { method: "PATCH", body: { description: "x".repeat(2001) } });
  assert.equal(long.status, 400);
  assert.deepEqual(long.body.issues.map((i: any) => i.path), ["description"]);
  assert.equal((await admin.json<any>(url, { method: "PATCH", body: { description: 5 } })).status, 400);
  assert.equal((await viewer.json(url, { method: "PATCH", body: { description: "mine" } })).status, 403);
  assert.equal((await admin.json(`/api/models/other/versions/${v2}`, { method: "PATCH", body: { description: "x" } })).status, 404, "a version of another model");
  assert.equal((await admin.json(`/api/models/default/versions/nope`, { method: "PATCH", body: { description: "x" } })).status, 404);
  assert.equal((await t.db.modelVersion.findUniqueOrThrow({ where: { id: v2 } })).description, null, "nothing changed");

  const ok = await admin.json<any>(url, { method: "PATCH", body: { description: "Two epochs, lr 0.3: the challenger." } });
  assert.equal(ok.status, 200);
  const models = (await viewer.json<any>("/api/models")).body.models;
  const versions = models.find((m: any) => m.name === "default").versions;
  const two = versions.find((v: any) => v.id === v2);
  assert.equal(two.description, "Two epochs, lr 0.3: the challenger.");
  const one = versions.find((v: any) => v.id === v1);
  assert.ok(one.aliases.includes("challenger"), JSON.stringify(one));
  assert.deepEqual(versions.find((v: any) => v.id === v2).aliases.filter((a: string) => a !== "race"), []);
  await admin.json(`/api/models/default/versions/${v1}`, { method: "PATCH", body: { description: "The first." } });
});

test("the export's README is a model card: data, rows, arguments, metrics old and new, labels, calibration, description, aliases, lineage", async () => {
  await setAlias(admin, { alias: "staging", versionId: v2 });
  const res = await viewer.fetch(`/api/models/versions/${v2}/export`);
  assert.equal(res.status, 200);
  const dir = tmpDir("card");
  const file = path.join(dir, "export.tar.gz");
  writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  const out = path.join(dir, "out");
  mkdirSync(out);
  await tar.x({ file, cwd: out });
  const readme = readFileSync(path.join(out, `default-${v2}`, "README.md"), "utf8");
  const stats = run2.stats;
  const card = readme.slice(readme.indexOf("## Model card"), readme.indexOf("## Files"));
  assert.ok(card.length > 0, readme);
  assert.match(card, /\| table \| `demo_email` \|/);
  assert.match(card, /\| columns \(label, text\) \| `label,text` \|/);
  assert.match(card, new RegExp(`\\| training rows \\| ${stats.trainRows.toLocaleString("en")} \\|`));
  assert.match(card, new RegExp(`\\| test rows \\| ${stats.testRows.toLocaleString("en")} \\|`));
  assert.match(card, new RegExp(`\\| skipped rows \\| ${(stats.skippedRows ?? "—").toLocaleString("en")} \\|`));
  assert.match(card, /\| learning_rate \| `0.3` \|/);
  assert.match(card, /\| num_train_epochs \| `2` \|/);
  assert.match(card, /\| seed \| `2` \|/);
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  assert.ok(card.includes(`| accuracy | ${pct(run2.metrics.old.accuracy)} | ${pct(run2.metrics.new.accuracy)} |`), card);
  for (const label of ["ham", "spam"]) {
    assert.ok(card.includes(`| ${label} | ${pct(run2.metrics.old.per_class[label].f1)} | ${pct(run2.metrics.new.per_class[label].f1)} |`), `per-class F1 of ${label}`);
  }
  assert.match(card, /\| labels \| ham, spam \|/);
  assert.ok(stats.calibrationRows > 0, JSON.stringify(stats));
  assert.ok(card.includes(`fitted on ${stats.calibrationRows} training rows`), card);
  assert.ok(card.includes(`temperature T = ${Number(stats.calibrationTemperature.toFixed(4))}`));
  assert.match(card, /Two epochs, lr 0.3: the challenger\./);
  assert.match(card, /\| aliases when exported \| `staging` \|/);
  assert.match(card, /\| serving when exported \| no \|/);
  assert.ok(card.includes(`| \`${v1}\` |`) && card.includes("| The first. |"), "its parent, with the parent's description");
  assert.ok(readme.indexOf("## Model card") < readme.indexOf("## Labels"), "the card comes first");
});
