import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { hashPassword } from "../../lib/auth/password";
import { ADMIN, createTestDatabase, tmpDir, type TestDatabase } from "../helpers/db";
import { createReviewTable } from "../helpers/fixtures";
import { client, login, type Client } from "../helpers/http";
import { startWebProcess, type Proc } from "../helpers/processes";

// The data and settings API of a real `next start`: tables a run can read (never the product's
// own), preview and label distribution, browse and search, CSV/JSONL import with a rejected-lines
// report that creates nothing on a fatal error, users and the last-admin rule, training defaults,
// and viewers refused every write.

let t: TestDatabase;
let web: Proc & { url: string };
let admin: Client;
let viewer: Client;

before(async () => {
  t = await createTestDatabase();
  await createReviewTable(t.db, "reviews", 40);
  await t.db.$executeRawUnsafe(`CREATE SCHEMA other`);
  await t.db.$executeRawUnsafe(`CREATE TABLE other.tickets (id int, category text, message text)`);
  await t.db.$executeRawUnsafe(`INSERT INTO other.tickets VALUES (1, 'billing', 'refund please'), (2, NULL, 'hello'), (3, 'bug', '')`);
  web = await startWebProcess({ DATABASE_URL: t.url, NEXTAUTH_SECRET: t.authSecret, MODELS_DIR: tmpDir("models") });
  await t.db.user.create({ data: { email: "viewer@example.com", passwordHash: await hashPassword("viewer-password-1"), role: "viewer" } });
  admin = await login(web.url, ADMIN.email, ADMIN.password);
  viewer = await login(web.url, "viewer@example.com", "viewer-password-1");
});

after(async () => {
  await web?.stop();
  await t?.drop();
});

type Table = { name: string; columns: { name: string; type: string }[]; rows: number; rowsExact: boolean };

async function upload(c: Client, file: { name: string; content: string | Uint8Array<ArrayBuffer> }, fields: Record<string, string> = {}) {
  const form = new FormData();
  form.set("file", new Blob([file.content]), file.name);
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  const res = await c.fetch("/api/import", { method: "POST", body: form });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function tableExists(name: string): Promise<boolean> {
  const r = await t.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM information_schema.tables WHERE table_name = ${name}`;
  return Number(r[0].n) > 0;
}

test("tables: user tables with columns and row counts, never the product's own", async () => {
  const r = await viewer.json<{ tables: Table[] }>("/api/tables");
  assert.equal(r.status, 200);
  const names = r.body.tables.map((x) => x.name);
  assert.ok(names.includes("demo_email"), names.join(","));
  assert.ok(names.includes("reviews"));
  assert.ok(names.includes("other.tickets"), "tables of other schemas are schema-qualified");
  for (const internal of ["User", "ApiToken", "Setting", "Model", "ModelVersion", "TrainingRun", "RunLog", "feature_cache", "_prisma_migrations", "Worker"]) {
    assert.ok(!names.includes(internal), `${internal} is internal`);
  }
  const demo = r.body.tables.find((x) => x.name === "demo_email")!;
  assert.equal(demo.rows, await t.db.demoEmail.count());
  assert.equal(demo.rowsExact, true);
  assert.deepEqual(
    demo.columns.filter((c) => ["label", "text"].includes(c.name)).map((c) => c.type),
    ["text", "text"],
  );
  const reviews = r.body.tables.find((x) => x.name === "reviews")!;
  assert.equal(reviews.rows, 40);
  assert.deepEqual(reviews.columns.map((c) => c.name), ["id", "label", "body"]);
  assert.equal((await client(web.url).json("/api/tables")).status, 401);
});

test("preview: first rows and the label distribution; unknown names are 404/400", async () => {
  const r = await viewer.json<any>("/api/tables/demo_email/preview?label=label&text=text&rows=5");
  assert.equal(r.status, 200);
  assert.equal(r.body.rows.length, 5);
  assert.ok(typeof r.body.rows[0].text === "string");
  const counts = await t.db.demoEmail.groupBy({ by: ["label"], _count: true });
  assert.deepEqual(
    Object.fromEntries(r.body.distribution.map((d: { label: string; count: number }) => [d.label, d.count])),
    Object.fromEntries(counts.map((c) => [c.label, c._count])),
  );
  assert.equal(r.body.distinctLabels, 2);
  assert.equal(r.body.total, await t.db.demoEmail.count());

  const other = await viewer.json<any>(`/api/tables/${encodeURIComponent("other.tickets")}/preview?label=category&text=message`);
  assert.equal(other.status, 200);
  assert.deepEqual(other.body.distribution.map((d: any) => [d.label, d.count]).sort(), [[null, 1], ["billing", 1], ["bug", 1]].sort());
  assert.equal(other.body.unusable, 2, "a row without a label and a row with empty text");

  assert.equal((await viewer.json("/api/tables/no_such_table/preview")).status, 404);
  assert.equal((await viewer.json("/api/tables/User/preview")).status, 404, "internal tables are not readable");
  const badCol = await viewer.json<any>("/api/tables/demo_email/preview?label=nope");
  assert.equal(badCol.status, 400);
  assert.equal(badCol.body.issues[0].path, "label");
});

test("rows: paged, searched with ILIKE over text columns with the value bound", async () => {
  const page = await viewer.json<any>("/api/tables/reviews/rows?limit=10&offset=35");
  assert.equal(page.status, 200);
  assert.equal(page.body.total, 40);
  assert.equal(page.body.rows.length, 5);
  assert.deepEqual(page.body.searched, ["label", "body"]);
  const found = await viewer.json<any>("/api/tables/reviews/rows?q=GREAT");
  assert.ok(found.body.total > 0);
  for (const row of found.body.rows) assert.match(`${row.label} ${row.body}`, /great/i);
  const inject = await viewer.json<any>(`/api/tables/reviews/rows?q=${encodeURIComponent("' OR 1=1 --")}`);
  assert.equal(inject.status, 200);
  assert.equal(inject.body.total, 0);
  const pct = await viewer.json<any>(`/api/tables/reviews/rows?q=${encodeURIComponent("%")}`);
  assert.equal(pct.body.total, 0, "% is matched literally");
  assert.equal((await viewer.json("/api/tables/reviews/rows?limit=0")).status, 400);
});

test("import CSV: rejected lines reported with line and reason, accepted rows inserted", async () => {
  const csv = [
    "label,text,source",
    'spam,"WIN a prize, now",web', // 2
    "ham,see you tomorrow,mail", // 3
    ",no label here,mail", // 4: missing label
    "ham,,mail", // 5: empty text
    "ham,too,many,columns", // 6: wrong column count
    'spam,"two', // 7-8: a quoted field over two lines
    'lines",web',
    "ham,last one,mail", // 9
  ].join("\n");
  const check = await upload(admin, { name: "mail.csv", content: csv });
  assert.equal(check.status, 200, JSON.stringify(check.body));
  assert.equal(check.body.created, null, "no table name: a dry run");
  assert.deepEqual([check.body.label, check.body.text], ["label", "text"]);
  assert.deepEqual(check.body.columns, ["label", "text", "source"]);
  assert.equal(check.body.accepted, 4);
  assert.deepEqual(
    check.body.rejected.map((r: { line: number; reason: string }) => [r.line, r.reason.replace(/:.*/, "")]),
    [[4, "missing label"], [5, "empty text"], [6, "wrong column count"]],
  );
  assert.ok(!(await tableExists("imported_mail")));

  const made = await upload(admin, { name: "mail.csv", content: csv }, { table: "imported_mail" });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  assert.deepEqual(made.body.created, { table: "imported_mail", rows: 4 });
  const rows = await t.db.$queryRawUnsafe<{ id: number; label: string; text: string }[]>(`SELECT id, label, text FROM imported_mail ORDER BY id`);
  assert.deepEqual(rows.map((r) => [r.label, r.text]), [["spam", "WIN a prize, now"], ["ham", "see you tomorrow"], ["spam", "two\nlines"], ["ham", "last one"]]);
  const cols = await t.db.$queryRaw<{ column_name: string; data_type: string }[]>`
    SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'imported_mail' ORDER BY ordinal_position`;
  assert.deepEqual(cols.map((c) => [c.column_name, c.data_type]), [["id", "integer"], ["label", "text"], ["text", "text"]]);
  const listed = (await admin.json<{ tables: Table[] }>("/api/tables")).body.tables.find((x) => x.name === "imported_mail");
  assert.equal(listed?.rows, 4, "the new table is readable by runs");

  const again = await upload(admin, { name: "mail.csv", content: csv }, { table: "imported_mail" });
  assert.equal(again.status, 400);
  assert.equal(again.body.issues[0].path, "table");
  assert.match(again.body.error, /already exists/);
});

test("import JSONL: bad JSON and missing fields rejected; chosen fields used", async () => {
  const lines = [
    JSON.stringify({ category: "billing", message: "refund my order" }),
    "{not json",
    JSON.stringify({ category: "bug", message: "the app crashes" }),
    "",
    JSON.stringify({ message: "no category" }),
    "[1,2]",
    JSON.stringify({ category: 3, message: "numeric labels become text" }),
  ].join("\n");
  const r = await upload(admin, { name: "tickets.jsonl", content: lines }, { table: "tickets_jsonl", labelColumn: "category", textColumn: "message" });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.format, "jsonl");
  assert.deepEqual(
    r.body.rejected.map((x: { line: number; reason: string }) => [x.line, x.reason.replace(/:.*/, "")]),
    [[2, "bad JSON"], [5, "missing label"], [6, "bad JSON"]],
  );
  const rows = await t.db.$queryRawUnsafe<{ label: string; text: string }[]>(`SELECT label, text FROM tickets_jsonl ORDER BY id`);
  assert.deepEqual(rows.map((x) => x.label), ["billing", "bug", "3"]);
  const wrongField = await upload(admin, { name: "t.jsonl", content: lines }, { table: "tickets_other", labelColumn: "nope", textColumn: "message" });
  assert.equal(wrongField.status, 400);
  assert.equal(wrongField.body.issues[0].path, "labelColumn");
  assert.ok(!(await tableExists("tickets_other")));
});

test("import: fatal errors create nothing", async () => {
  const cases: [string, Record<string, string>, { name: string; content: string }, string][] = [
    ["invalid name", { table: "Bad Name" }, { name: "a.csv", content: "label,text\na,b\n" }, "table"],
    ["reserved prefix", { table: "pg_things" }, { name: "a.csv", content: "label,text\na,b\n" }, "table"],
    ["internal table name", { table: "user" }, { name: "a.csv", content: "label,text\na,b\n" }, "table"],
    ["existing table", { table: "demo_email" }, { name: "a.csv", content: "label,text\na,b\n" }, "table"],
    ["no usable line", { table: "all_rejected" }, { name: "a.csv", content: "label,text\n,b\na,\n" }, "file"],
    ["empty file", { table: "empty_file" }, { name: "a.csv", content: "" }, "file"],
    ["only bad JSON", { table: "bad_json" }, { name: "a.jsonl", content: "{x\n{y\n" }, "file"],
  ];
  for (const [what, fields, file, path] of cases) {
    const r = await upload(admin, file, fields);
    assert.equal(r.status, 400, `${what}: ${r.status} ${JSON.stringify(r.body)}`);
    assert.equal(r.body.issues[0].path, path, `${what}: ${JSON.stringify(r.body.issues)}`);
  }
  for (const name of ["all_rejected", "empty_file", "bad_json", "pg_things"]) assert.ok(!(await tableExists(name)), name);
  // A failure inside the transaction (a NUL byte PostgreSQL cannot store) leaves no table behind.
  const nul = await upload(admin, { name: "n.csv", content: "label,text\na,fine\nb,bad\u0000text\n" }, { table: "with_nul" });
  assert.equal(nul.status, 400, JSON.stringify(nul.body));
  assert.ok(!(await tableExists("with_nul")), "the transaction rolled back");
});

test("import: files over the size limit are refused with a clear message", async () => {
  const big = new Uint8Array(50 * 1024 * 1024 + 10).fill(97);
  const r = await upload(admin, { name: "big.csv", content: big }, { table: "too_big" });
  assert.equal(r.status, 413);
  assert.match(r.body.error, /limited to 50\.0 MB/);
  assert.ok(!(await tableExists("too_big")));
});

test("users: create, list, change role and password, delete; the last admin stays", async () => {
  const created = await admin.json<any>("/api/users", { method: "POST", body: { email: "New.User@Example.com", password: "long-enough", role: "viewer" } });
  assert.equal(created.status, 201);
  assert.equal(created.body.email, "new.user@example.com");
  assert.equal(created.body.passwordHash, undefined);
  const stored = await t.db.user.findUniqueOrThrow({ where: { email: "new.user@example.com" } });
  assert.notEqual(stored.passwordHash, "long-enough");
  assert.match(stored.passwordHash, /^scrypt\$/);
  await login(web.url, "new.user@example.com", "long-enough");

  const dup = await admin.json<any>("/api/users", { method: "POST", body: { email: "new.user@example.com", password: "long-enough" } });
  assert.equal(dup.status, 409);
  assert.equal(dup.body.issues[0].path, "email");
  const bad = await admin.json<any>("/api/users", { method: "POST", body: { email: "nope", password: "short", role: "root" } });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.issues.map((i: { path: string }) => i.path).sort(), ["email", "password", "role"]);

  const list = await admin.json<any>("/api/users");
  assert.deepEqual(list.body.users.map((u: { email: string }) => u.email).sort(), [ADMIN.email, "new.user@example.com", "viewer@example.com"]);
  assert.ok(list.body.users.every((u: object) => !("passwordHash" in u)));

  const promoted = await admin.json<any>(`/api/users/${stored.id}`, { method: "PATCH", body: { role: "admin", password: "another-password" } });
  assert.equal(promoted.status, 200);
  assert.equal(promoted.body.role, "admin");
  await login(web.url, "new.user@example.com", "another-password");
  assert.equal((await admin.json(`/api/users/${stored.id}`, { method: "PATCH", body: { password: "short" } })).status, 400);
  assert.equal((await admin.json(`/api/users/${stored.id}`, { method: "PATCH", body: { email: "x@y.z" } })).status, 400);
  assert.equal((await admin.json("/api/users/nobody", { method: "PATCH", body: { role: "viewer" } })).status, 404);

  // Two admins: one may be demoted, then the other is the last one.
  const me = await t.db.user.findUniqueOrThrow({ where: { email: ADMIN.email } });
  assert.equal((await admin.json(`/api/users/${stored.id}`, { method: "PATCH", body: { role: "viewer" } })).status, 200);
  const demoteLast = await admin.json<any>(`/api/users/${me.id}`, { method: "PATCH", body: { role: "viewer" } });
  assert.equal(demoteLast.status, 409);
  assert.match(demoteLast.body.error, /last admin/);
  assert.equal((await admin.json<any>(`/api/users/${me.id}`, { method: "DELETE" })).status, 409, "not yourself, and not the last admin");
  assert.equal((await t.db.user.findUniqueOrThrow({ where: { id: me.id } })).role, "admin");

  // The last admin cannot be deleted by another admin either.
  assert.equal((await admin.json(`/api/users/${stored.id}`, { method: "PATCH", body: { role: "admin" } })).status, 200);
  const other = await login(web.url, "new.user@example.com", "another-password");
  assert.equal((await other.json(`/api/users/${me.id}`, { method: "PATCH", body: { role: "viewer" } })).status, 200);
  // A role change ends that user's sessions: the demoted admin signs in again, as a viewer now.
  assert.equal((await admin.json<any>(`/api/users/${stored.id}`, { method: "DELETE" })).status, 401);
  admin = await login(web.url, ADMIN.email, ADMIN.password);
  assert.equal((await admin.json<any>(`/api/users/${stored.id}`, { method: "DELETE" })).status, 403);
  const delLast = await other.json<any>(`/api/users/${stored.id}`, { method: "DELETE" });
  assert.equal(delLast.status, 409, JSON.stringify(delLast.body));
  assert.equal(await t.db.user.count({ where: { role: "admin" } }), 1);
  // Restore: the original admin is admin again, then the new user is deleted.
  await t.db.user.update({ where: { id: me.id }, data: { role: "admin" } });
  admin = await login(web.url, ADMIN.email, ADMIN.password);
  const del = await admin.json<any>(`/api/users/${stored.id}`, { method: "DELETE" });
  assert.equal(del.status, 200);
  assert.equal(await t.db.user.count({ where: { id: stored.id } }), 0);
  assert.equal((await admin.json(`/api/users/${stored.id}`, { method: "DELETE" })).status, 404);
});

test("training defaults: only TrainingArguments, typed as in a run request; 400 names the field", async () => {
  const empty = await viewer.json<any>("/api/settings/training-defaults");
  assert.equal(empty.status, 200);
  assert.deepEqual(empty.body.defaults, {});
  const put = await admin.json<any>("/api/settings/training-defaults", {
    method: "PUT",
    body: { learning_rate: 0.02, num_train_epochs: 3, seed: 7, evaluation_strategy: "epoch", lr_scheduler_type: "linear" },
  });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  const got = await admin.json<any>("/api/settings/training-defaults");
  assert.deepEqual(got.body.defaults, { learning_rate: 0.02, num_train_epochs: 3, seed: 7, evaluation_strategy: "epoch", lr_scheduler_type: "linear" });
  const row = await t.db.setting.findUniqueOrThrow({ where: { key: "training_defaults" } });
  assert.equal((row.value as { seed: number }).seed, 7);

  const cases: [unknown, string][] = [
    [{ learning_rate: "fast" }, "learning_rate"],
    [{ num_train_epochs: -1 }, "num_train_epochs"],
    [{ seed: 1.5 }, "seed"],
    [{ evaluation_strategy: "sometimes" }, "evaluation_strategy"],
    [{ warmup_ratio: 2 }, "warmup_ratio"],
    [{ table: "demo_email" }, "table"],
    [{ not_an_argument: 1 }, "not_an_argument"],
    [[1, 2], "(body)"],
  ];
  for (const [body, field] of cases) {
    const r = await admin.json<any>("/api/settings/training-defaults", { method: "PUT", body });
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.ok(r.body.issues.some((i: { path: string }) => i.path === field), `${JSON.stringify(body)} → ${JSON.stringify(r.body.issues)}`);
    assert.match(r.body.error, new RegExp(field.replace(/[()]/g, "\\$&")));
  }
  assert.equal((await admin.json<any>("/api/settings/training-defaults")).body.defaults.seed, 7, "nothing changed");
});

test("a viewer gets 403 on every write here, and on listing users", async () => {
  const form = new FormData();
  form.set("file", new Blob(["label,text\na,b\n"]), "v.csv");
  form.set("table", "viewer_table");
  const imp = await viewer.fetch("/api/import", { method: "POST", body: form });
  assert.equal(imp.status, 403);
  assert.ok(!(await tableExists("viewer_table")));
  const me = await t.db.user.findUniqueOrThrow({ where: { email: "viewer@example.com" } });
  const writes: [string, "POST" | "PUT" | "PATCH" | "DELETE", unknown][] = [
    ["/api/users", "POST", { email: "x@example.com", password: "long-enough", role: "admin" }],
    [`/api/users/${me.id}`, "PATCH", { role: "admin" }],
    [`/api/users/${me.id}`, "DELETE", undefined],
    ["/api/settings/training-defaults", "PUT", { seed: 1 }],
  ];
  for (const [path, method, body] of writes) {
    const r = await viewer.json<any>(path, { method, body });
    assert.equal(r.status, 403, `${method} ${path}`);
    assert.match(r.body.error, /admin/);
  }
  assert.equal((await viewer.json("/api/users")).status, 403);
  assert.equal((await t.db.user.findUniqueOrThrow({ where: { id: me.id } })).role, "viewer");
  assert.equal(await t.db.user.count({ where: { email: "x@example.com" } }), 0);
  // Pages: the settings page says 403 to a viewer.
  const page = await viewer.fetch("/settings");
  assert.match(await page.text(), /403: admins only/);
});
