import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { hashPassword } from "../../lib/auth/password";
import { ADMIN, createTestDatabase, tmpDir, type TestDatabase } from "../helpers/db";
import { client, login, type Client } from "../helpers/http";
import { startWebProcess, type Proc } from "../helpers/processes";
import { queueRun } from "../helpers/runs";

// Finding runs over HTTP on a real `next start` (no worker: runs stay as the test leaves them):
// PATCH /api/runs/:id edits name, notes and tags (admins only, field-named 400s that change
// nothing, 404); POST /api/runs takes them too; GET /api/runs searches, filters and sorts in SQL.

let t: TestDatabase;
let web: Proc & { url: string };
let admin: Client;
let viewer: Client;

before(async () => {
  t = await createTestDatabase();
  web = await startWebProcess({ DATABASE_URL: t.url, NEXTAUTH_SECRET: t.authSecret, MODELS_DIR: tmpDir("models") });
  await t.db.user.create({ data: { email: "viewer@example.com", passwordHash: await hashPassword("viewer-password-1"), role: "viewer" } });
  admin = await login(web.url, ADMIN.email, ADMIN.password);
  viewer = await login(web.url, "viewer@example.com", "viewer-password-1");
});

after(async () => {
  await web?.stop();
  await t?.drop();
});

const REQUEST = { table: "demo_email", columns: "label,text", limit: 100 };
const issuePaths = (body: any): string[] => (body?.issues ?? []).map((i: { path: string }) => i.path);

test("PATCH /api/runs/:id: admins edit name, notes and tags (trimmed, deduplicated); null or empty clears", async () => {
  const id = await queueRun(t.db, REQUEST);
  const r = await admin.json<any>(`/api/runs/${id}`, {
    method: "PATCH",
    body: { name: "  Baseline, small lr  ", notes: " why: the first try ", tags: [" baseline", "v1", "baseline", "lr.0-01_x"] },
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.id, id);
  assert.equal(r.body.name, "Baseline, small lr");
  assert.equal(r.body.notes, "why: the first try");
  assert.deepEqual(r.body.tags, ["baseline", "v1", "lr.0-01_x"]);
  assert.equal(r.body.status, "queued", "the rest of the run is untouched");

  // Only the named fields change.
  const tagsOnly = await admin.json<any>(`/api/runs/${id}`, { method: "PATCH", body: { tags: ["v2"] } });
  assert.deepEqual([tagsOnly.body.name, tagsOnly.body.notes, tagsOnly.body.tags], ["Baseline, small lr", "why: the first try", ["v2"]]);
  const read = await viewer.json<any>(`/api/runs/${id}`);
  assert.deepEqual([read.body.name, read.body.tags], ["Baseline, small lr", ["v2"]], "viewers read them");

  const cleared = await admin.json<any>(`/api/runs/${id}`, { method: "PATCH", body: { name: null, notes: "   ", tags: [] } });
  assert.equal(cleared.status, 200);
  assert.deepEqual([cleared.body.name, cleared.body.notes, cleared.body.tags], [null, null, []]);
  const row = await t.db.trainingRun.findUniqueOrThrow({ where: { id } });
  assert.deepEqual([row.name, row.notes], [null, null]);
});

test("PATCH /api/runs/:id: viewers get 403, anonymous callers 401, an unknown run 404; nothing changes", async () => {
  const id = await queueRun(t.db, REQUEST);
  await admin.json(`/api/runs/${id}`, { method: "PATCH", body: { name: "kept" } });
  assert.equal((await viewer.json(`/api/runs/${id}`, { method: "PATCH", body: { name: "viewer's" } })).status, 403);
  assert.equal((await client(web.url).json(`/api/runs/${id}`, { method: "PATCH", body: { name: "anon" } })).status, 401);
  const missing = await admin.json<any>("/api/runs/no-such-run", { method: "PATCH", body: { name: "x" } });
  assert.equal(missing.status, 404);
  assert.match(missing.body.error, /no-such-run/);
  assert.equal((await t.db.trainingRun.findUniqueOrThrow({ where: { id } })).name, "kept");
});

test("PATCH /api/runs/:id: bad values and unknown fields get a 400 naming them, and change nothing", async () => {
  const id = await queueRun(t.db, REQUEST);
  await admin.json(`/api/runs/${id}`, { method: "PATCH", body: { name: "before", notes: "n", tags: ["a"] } });
  const cases: [unknown, string[]][] = [
    [{ name: "x".repeat(121) }, ["name"]],
    [{ name: 42 }, ["name"]],
    [{ notes: "y".repeat(10_001) }, ["notes"]],
    [{ tags: "baseline" }, ["tags"]],
    [{ tags: ["ok", "has space"] }, ["tags.1"]],
    [{ tags: ["ok", "semi;colon"] }, ["tags.1"]],
    [{ tags: ["t".repeat(41)] }, ["tags.0"]],
    [{ tags: [""] }, ["tags.0"]],
    [{ tags: [7] }, ["tags.0"]],
    [{ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, ["tags"]],
    [{ name: "fine", title: "not a field", status: "succeeded" }, ["title", "status"]],
    [["name"], ["(body)"]],
  ];
  for (const [body, paths] of cases) {
    const r = await admin.json<any>(`/api/runs/${id}`, { method: "PATCH", body });
    assert.equal(r.status, 400, `${JSON.stringify(body).slice(0, 80)} → ${r.status}`);
    assert.deepEqual(issuePaths(r.body).sort(), [...paths].sort(), JSON.stringify(r.body).slice(0, 300));
  }
  // 20 tags are fine once duplicates are gone
  const twenty = [...Array.from({ length: 20 }, (_, i) => `t${i}`), "t0", "t1"];
  assert.equal((await admin.json(`/api/runs/${id}`, { method: "PATCH", body: { tags: twenty } })).status, 200);
  const row = await t.db.trainingRun.findUniqueOrThrow({ where: { id } });
  assert.deepEqual([row.name, row.notes, row.tags.length], ["before", "n", 20]);
});

test("POST /api/runs takes an optional name, notes and tags; bad ones queue nothing; the TrainRequest is unchanged", async () => {
  const r = await admin.json<any>("/api/runs", { method: "POST", body: { ...REQUEST, name: " Nightly ", notes: "from the API", tags: ["nightly", "nightly"] } });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  const row = await t.db.trainingRun.findUniqueOrThrow({ where: { id: r.body.id } });
  assert.deepEqual([row.name, row.notes, row.tags], ["Nightly", "from the API", ["nightly"]]);
  const request = row.request as Record<string, unknown>;
  assert.equal(request.table, "demo_email");
  assert.ok(!("name" in request) && !("tags" in request) && !("notes" in request), "the stored request has no meta fields");

  const plain = await admin.json<any>("/api/runs", { method: "POST", body: REQUEST });
  assert.equal(plain.status, 202);
  assert.deepEqual((await viewer.json<any>(`/api/runs/${plain.body.id}`)).body.tags, []);

  const before = await t.db.trainingRun.count();
  const bad = await admin.json<any>("/api/runs", { method: "POST", body: { ...REQUEST, p_of_train: 3, name: "n".repeat(200), tags: ["a b"] } });
  assert.equal(bad.status, 400);
  assert.deepEqual(issuePaths(bad.body).sort(), ["name", "p_of_train", "tags.0"]);
  const typo = await admin.json<any>("/api/runs", { method: "POST", body: { ...REQUEST, nmae: "x" } });
  assert.equal(typo.status, 400);
  assert.deepEqual(issuePaths(typo.body), ["nmae"]);
  assert.equal(await t.db.trainingRun.count(), before, "nothing queued");
});

test("GET /api/runs: q over name, notes, table and id; tag, status, model and table filters; sorts with runs lacking a metric last", async () => {
  await t.db.trainingRun.deleteMany({});
  await t.db.$executeRawUnsafe(`CREATE TABLE reviews_fr (label text, text text)`);
  await t.db.$executeRawUnsafe(`INSERT INTO reviews_fr VALUES ('pos', 'très bien'), ('neg', 'mauvais'), ('pos', 'super'), ('neg', 'nul')`);
  const make = async (request: Record<string, unknown>, data: Record<string, unknown>) => {
    const id = await queueRun(t.db, { ...REQUEST, ...request });
    await t.db.trainingRun.update({ where: { id }, data });
    return id;
  };
  const metrics = (accuracy: number, macro_f1: number) => ({ accuracy, macro_f1 });
  const alpha = await make({ num_train_epochs: 5, learning_rate: 0.01 }, { name: "Alpha baseline", tags: ["baseline", "v1"], status: "succeeded", metricsNew: metrics(0.8, 0.7) });
  const noName = await make({ num_train_epochs: 2, learning_rate: 0.001 }, { notes: "Mentions ZEBRA crossing", tags: ["v2"], status: "succeeded", metricsNew: metrics(0.9, 0.85) });
  const gamma = await make({ table: "reviews_fr", num_train_epochs: 9 }, { name: "gamma 100%_done", tags: ["baseline"], status: "failed" });
  const delta = await make({ num_train_epochs: 1, learning_rate: 0.1 }, { name: "delta", status: "succeeded", metricsNew: metrics(0.6, 0.75) });
  const queued = await make({}, {});

  const ids = async (query: string): Promise<string[]> => {
    const r = await viewer.json<any>(`/api/runs${query}`);
    assert.equal(r.status, 200, `${query}: ${JSON.stringify(r.body)}`);
    return r.body.runs.map((x: { id: string }) => x.id);
  };
  const set = async (query: string) => (await ids(query)).sort();

  // q: case-insensitive substrings of name, notes, table, id; % and _ taken literally
  assert.deepEqual(await set("?q=ALPHA"), [alpha]);
  assert.deepEqual(await set("?q=zebra"), [noName]);
  assert.deepEqual(await set("?q=reviews_F"), [gamma]);
  assert.deepEqual(await set(`?q=${noName.slice(3, 12).toUpperCase()}`), [noName]);
  assert.deepEqual(await set("?q=100%25_"), [gamma]);
  assert.deepEqual(await set("?q=a%25a"), []);
  // filters, and filters together
  assert.deepEqual(await set("?tag=baseline"), [alpha, gamma].sort());
  assert.deepEqual(await set("?tag=base"), [], "a tag matches whole");
  assert.deepEqual(await set("?status=failed"), [gamma]);
  assert.deepEqual(await set("?table=reviews_fr"), [gamma]);
  assert.deepEqual(await set("?model=default"), [alpha, noName, gamma, delta, queued].sort());
  assert.deepEqual(await set("?model=other"), []);
  assert.deepEqual(await set("?tag=baseline&status=succeeded&q=alpha"), [alpha]);

  // sorts: newest first by default; metrics either way with runs lacking them last
  assert.deepEqual(await ids(""), [queued, delta, gamma, noName, alpha]);
  assert.deepEqual(await ids("?sort=createdAt"), [alpha, noName, gamma, delta, queued]);
  assert.deepEqual(await ids("?sort=-accuracy"), [noName, alpha, delta, queued, gamma]);
  assert.deepEqual(await ids("?sort=accuracy"), [delta, alpha, noName, queued, gamma]);
  assert.deepEqual(await ids("?sort=-macroF1"), [noName, delta, alpha, queued, gamma]);
  assert.deepEqual(await ids("?sort=-accuracy&tag=baseline"), [alpha, gamma]);
  assert.deepEqual(await ids("?sort=name"), [alpha, delta, gamma, queued, noName]);
  // (the queued run's epochs and learning rate are the training defaults, if any: left out here)
  const known = (list: string[], among: string[]) => list.filter((x) => among.includes(x));
  assert.deepEqual(known(await ids("?sort=epochs"), [alpha, noName, gamma, delta]), [delta, noName, alpha, gamma]);
  assert.deepEqual(known(await ids("?sort=-learningRate"), [alpha, noName, delta]), [delta, alpha, noName]);
  assert.deepEqual((await ids("?sort=-learningRate")).at(-1), gamma, "no learning rate: last, either way");
  assert.deepEqual((await ids("?sort=learningRate")).at(-1), gamma);
  assert.deepEqual(await ids("?sort=status"), [gamma, queued, delta, noName, alpha]);
  assert.deepEqual(await ids("?sort=-table&status=succeeded"), [delta, noName, alpha]);
  // paging: total counts every match
  const page = await viewer.json<any>("/api/runs?sort=-accuracy&limit=2&offset=1");
  assert.equal(page.body.total, 5);
  assert.deepEqual(page.body.runs.map((r: any) => r.id), [alpha, delta]);

  // the row carries what the list shows
  const [row] = (await viewer.json<any>(`/api/runs?q=${alpha}`)).body.runs;
  assert.deepEqual(
    { name: row.name, tags: row.tags, trigger: row.trigger, epochs: row.epochs, learningRate: row.learningRate, accuracyNew: row.accuracyNew, macroF1New: row.macroF1New, table: row.table },
    { name: "Alpha baseline", tags: ["baseline", "v1"], trigger: "manual", epochs: 5, learningRate: 0.01, accuracyNew: 0.8, macroF1New: 0.7, table: "demo_email" },
  );
});

test("GET /api/runs: an unknown sort key or status gets a 400 naming the field", async () => {
  for (const [query, field] of [["?sort=accurcy", "sort"], ["?sort=--accuracy", "sort"], ["?status=done", "status"], ["?limit=0", "limit"]] as const) {
    const r = await viewer.json<any>(`/api/runs${query}`);
    assert.equal(r.status, 400, query);
    assert.deepEqual(issuePaths(r.body), [field], query);
    assert.match(r.body.error, new RegExp(field));
  }
});
