import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { hashPassword } from "../../lib/auth/password";
import { ADMIN, createTestDatabase, tmpDir, type TestDatabase } from "../helpers/db";
import { login, type Client } from "../helpers/http";
import { startWebProcess, type Proc } from "../helpers/processes";

// The Data API's finer points through a real `next start`: rows in the order of the table's key
// (not the physical order updates leave), label counts of the rows a search finds, and an import
// that names the fields it does not import and the texts that occur on more than one line (kept,
// or with dedupe=true only the first of each), with hostile CSVs.

let t: TestDatabase;
let web: Proc & { url: string };
let admin: Client;
let viewer: Client;

before(async () => {
  t = await createTestDatabase();
  // Physical order 17, 41, 152, 424, 18, 3: what an update or a late insert leaves.
  await t.db.$executeRawUnsafe(`CREATE TABLE keyed (id int PRIMARY KEY, label text, text text)`);
  for (const id of [17, 41, 152, 424, 18, 3]) {
    await t.db.$executeRawUnsafe(`INSERT INTO keyed VALUES ($1, $2, $3)`, id, id % 2 ? "odd" : "even", `row ${id}`);
  }
  await t.db.$executeRawUnsafe(`CREATE TABLE pairs (org text, id int, label text, text text, PRIMARY KEY (org, id))`);
  await t.db.$executeRawUnsafe(`INSERT INTO pairs VALUES ('b', 1, 'x', 'one'), ('a', 10, 'x', 'two'), ('a', 9, 'y', 'three'), ('b', 0, 'y', 'four')`);
  await t.db.$executeRawUnsafe(`CREATE TABLE unkeyed (label text, text text)`);
  await t.db.$executeRawUnsafe(`INSERT INTO unkeyed VALUES ('p', 'third'), ('q', 'first'), ('p', 'second')`);
  // Labels spread differently over the rows mentioning "prize" than over the table.
  await t.db.$executeRawUnsafe(`CREATE TABLE mail (id serial PRIMARY KEY, label text, text text)`);
  await t.db.$executeRawUnsafe(`
    INSERT INTO mail (label, text)
    SELECT CASE WHEN g % 5 = 0 THEN 'spam' ELSE 'ham' END, CASE WHEN g % 5 = 0 OR g = 7 THEN 'win a PRIZE ' || g ELSE 'meeting at ' || g END
    FROM generate_series(1, 50) g`);
  web = await startWebProcess({ DATABASE_URL: t.url, NEXTAUTH_SECRET: t.authSecret, MODELS_DIR: tmpDir("models") });
  await t.db.user.create({ data: { email: "viewer@example.com", passwordHash: await hashPassword("viewer-password-1"), role: "viewer" } });
  admin = await login(web.url, ADMIN.email, ADMIN.password);
  viewer = await login(web.url, "viewer@example.com", "viewer-password-1");
});

after(async () => {
  await web?.stop();
  await t?.drop();
});

type Page = { rows: Record<string, string | null>[]; total: number; orderedBy: string[]; labels: { column: string; distribution: { label: string; count: number }[]; distinctLabels: number } | null };

test("rows come in the order of the primary key, ascending, on every page", async () => {
  const all = await viewer.json<Page>("/api/tables/keyed/rows");
  assert.equal(all.status, 200);
  assert.deepEqual(all.body.orderedBy, ["id"]);
  assert.deepEqual(all.body.rows.map((r) => r.id), ["3", "17", "18", "41", "152", "424"]);
  const second = await viewer.json<Page>("/api/tables/keyed/rows?limit=2&offset=2");
  assert.deepEqual(second.body.rows.map((r) => r.id), ["18", "41"]);
  // A key of two columns orders by both, in the key's column order.
  const pairs = await viewer.json<Page>("/api/tables/pairs/rows");
  assert.deepEqual(pairs.body.orderedBy, ["org", "id"]);
  assert.deepEqual(pairs.body.rows.map((r) => `${r.org}${r.id}`), ["a9", "a10", "b0", "b1"], "numbers as numbers, not as text");
  // Without a key: the physical order, said as such.
  const unkeyed = await viewer.json<Page>("/api/tables/unkeyed/rows");
  assert.deepEqual(unkeyed.body.orderedBy, []);
  assert.deepEqual(unkeyed.body.rows.map((r) => r.text), ["third", "first", "second"]);
  // Searching keeps the order.
  const found = await viewer.json<Page>("/api/tables/keyed/rows?q=1");
  assert.deepEqual(found.body.rows.map((r) => r.id), ["17", "18", "41", "152"]);
});

test("label counts: of the rows the search finds, not of the whole table", async () => {
  const whole = await viewer.json<Page>("/api/tables/mail/rows?label=label&limit=5");
  assert.equal(whole.status, 200);
  assert.equal(whole.body.rows.length, 5, "the page is still a page");
  assert.deepEqual(whole.body.labels, { column: "label", distribution: [{ label: "ham", count: 40 }, { label: "spam", count: 10 }], distinctLabels: 2 });
  const searched = await viewer.json<Page>("/api/tables/mail/rows?label=label&q=prize&limit=5");
  assert.equal(searched.body.total, 11);
  assert.deepEqual(searched.body.labels, { column: "label", distribution: [{ label: "spam", count: 10 }, { label: "ham", count: 1 }], distinctLabels: 2 });
  // Without ?label=, no counts; a search matching nothing counts nothing.
  assert.equal((await viewer.json<Page>("/api/tables/mail/rows?q=prize")).body.labels, null);
  const none = await viewer.json<Page>(`/api/tables/mail/rows?label=label&q=${encodeURIComponent("' OR 1=1 --")}`);
  assert.equal(none.status, 200);
  assert.deepEqual(none.body.labels, { column: "label", distribution: [], distinctLabels: 0 });
  const pct = await viewer.json<Page>(`/api/tables/mail/rows?label=label&q=${encodeURIComponent("%")}`);
  assert.equal(pct.body.labels?.distinctLabels, 0, "% is matched literally in the counts too");
  // A label column the table lacks, or a hostile one, is a 400 naming the field.
  for (const bad of ["nope", 'label" FROM mail; --']) {
    const r = await viewer.json<{ issues: { path: string; message: string }[] }>(`/api/tables/mail/rows?label=${encodeURIComponent(bad)}`);
    assert.equal(r.status, 400, bad);
    assert.equal(r.body.issues[0].path, "label");
  }
});

async function upload(c: Client, file: { name: string; content: string }, fields: Record<string, string> = {}) {
  const form = new FormData();
  form.set("file", new Blob([file.content]), file.name);
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  const res = await c.fetch("/api/import", { method: "POST", body: form });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

// Extra fields with hostile names; "cheap pills" twice with one label, "hello there" with two
// labels (three lines), "Cheap pills" differing in case (another text), and a rejected line.
const HOSTILE_CSV = [
  'label,text,"<img src=x onerror=alert(1)>","a,b",Ünïcode,"""quoted"""',
  "spam,cheap pills,1,2,3,4", // 2
  "ham,hello there,1,2,3,4", // 3
  "spam,cheap pills,1,2,3,4", // 4
  "spam,hello there,1,2,3,4", // 5
  "ham,Cheap pills,1,2,3,4", // 6
  ",no label,1,2,3,4", // 7: rejected
  "ham,hello there,1,2,3,4", // 8
  "ham,see you,1,2,3,4", // 9
].join("\n");

type Summary = {
  accepted: number;
  ignoredColumns: string[];
  duplicates: { texts: number; repeatedLines: number; conflicting: number; examples: { text: string; lines: number[]; labels: string[] }[] };
  deduplicated: number;
  warnings: string[];
  created: null | { table: string; rows: number };
};

test("import: the fields not imported and the repeated texts are named, in the check and in the answer", async () => {
  const check = await upload(admin, { name: "hostile.csv", content: HOSTILE_CSV });
  assert.equal(check.status, 200);
  const s = check.body as Summary;
  assert.equal(s.accepted, 7);
  assert.deepEqual(s.ignoredColumns, ["<img src=x onerror=alert(1)>", "a,b", "Ünïcode", '"quoted"']);
  assert.deepEqual(
    { texts: s.duplicates.texts, repeatedLines: s.duplicates.repeatedLines, conflicting: s.duplicates.conflicting },
    { texts: 2, repeatedLines: 3, conflicting: 1 },
    "Cheap pills is another text than cheap pills",
  );
  assert.deepEqual(s.duplicates.examples, [
    { text: "cheap pills", lines: [2, 4], labels: ["spam"] },
    { text: "hello there", lines: [3, 5, 8], labels: ["ham", "spam"] },
  ]);
  assert.equal(s.deduplicated, 0);
  assert.equal(s.warnings.length, 2);
  assert.match(s.warnings[0], /4 fields are not imported: <img src=x onerror=alert\(1\)>, a,b, Ünïcode, "quoted"\. The new table keeps only id, label \(from "label"\) and text \(from "text"\)/);
  assert.match(s.warnings[1], /2 texts occur on more than one line \(3 repeated lines; 1 of them has different labels on different lines\)/);
  assert.match(s.warnings[1], /both its training and its test rows/);

  // Created without dedupe: every accepted line is kept, and the answer says the same.
  const made = await upload(admin, { name: "hostile.csv", content: HOSTILE_CSV }, { table: "hostile_kept" });
  assert.equal(made.status, 201);
  assert.deepEqual(made.body.created, { table: "hostile_kept", rows: 7 });
  assert.deepEqual(made.body.warnings, s.warnings);
  const cols = await t.db.$queryRaw<{ column_name: string }[]>`SELECT column_name FROM information_schema.columns WHERE table_name = 'hostile_kept' ORDER BY ordinal_position`;
  assert.deepEqual(cols.map((c) => c.column_name), ["id", "label", "text"]);
});

test("import with dedupe=true: the first line of each text is kept, the others left out and counted", async () => {
  const check = await upload(admin, { name: "hostile.csv", content: HOSTILE_CSV }, { dedupe: "true" });
  const s = check.body as Summary;
  assert.equal(s.accepted, 4);
  assert.equal(s.deduplicated, 3);
  assert.equal(s.duplicates.texts, 2, "the repeats are still described");
  assert.match(s.warnings[1], /only the first line of each is kept, 3 lines left out/);
  const made = await upload(admin, { name: "hostile.csv", content: HOSTILE_CSV }, { table: "hostile_deduped", dedupe: "1" });
  assert.equal(made.status, 201);
  assert.deepEqual(made.body.created, { table: "hostile_deduped", rows: 4 });
  const rows = await t.db.$queryRawUnsafe<{ label: string; text: string }[]>(`SELECT label, text FROM hostile_deduped ORDER BY id`);
  assert.deepEqual(rows, [
    { label: "spam", text: "cheap pills" },
    { label: "ham", text: "hello there" },
    { label: "ham", text: "Cheap pills" },
    { label: "ham", text: "see you" },
  ]);
  // A value other than true/false is a 400 naming the field, and creates nothing.
  const bad = await upload(admin, { name: "hostile.csv", content: HOSTILE_CSV }, { table: "hostile_bad", dedupe: "yes please" });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.issues[0].path, "dedupe");
  const exists = await t.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'hostile_bad'`;
  assert.equal(Number(exists[0].n), 0);
});

test("import: a clean file warns of nothing; JSONL keys beyond label and text are named", async () => {
  const clean = await upload(admin, { name: "clean.csv", content: "label,text\nspam,a\nham,b\n" });
  assert.deepEqual([clean.body.warnings, clean.body.ignoredColumns, clean.body.duplicates.texts], [[], [], 0]);
  const jsonl = [JSON.stringify({ label: "a", text: "x", meta: { deep: 1 } }), JSON.stringify({ label: "b", text: "x", "</script>": 1 })].join("\n");
  const r = await upload(admin, { name: "f.jsonl", content: jsonl });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.ignoredColumns, ["meta", "</script>"]);
  assert.equal(r.body.duplicates.conflicting, 1);
  // A viewer cannot import, with or without dedupe.
  assert.equal((await upload(viewer, { name: "clean.csv", content: "label,text\nspam,a\n" }, { table: "by_viewer", dedupe: "true" })).status, 403);
});
