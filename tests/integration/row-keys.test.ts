import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fetchLabelledRows } from "../../lib/runs/fetch-rows";
import { resolveSource } from "../../lib/runs/resolve-request";
import { textsByKey } from "../../lib/runs/texts-by-key";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

// Row keys against the real PostgreSQL: each kind of key is read in key order across chunk
// boundaries (every row exactly once), and a row's text is found again by its key.

let t: TestDatabase;

before(async () => {
  t = await createTestDatabase({ prepare: false });
  // text primary key with awkward values, inserted out of order
  await t.db.$executeRawUnsafe(`CREATE TABLE "Odd Keys" ("Code" text PRIMARY KEY, lbl text, body text)`);
  const codes = ["b'1", "a,2", 'c"3', "ä 4", "{5}", "a,10", "", "z\\9", "(1,2)", "NULL"];
  for (const [i, c] of codes.entries()) await t.db.$executeRawUnsafe(`INSERT INTO "Odd Keys" VALUES ($1, $2, $3)`, c, i % 2 ? "x" : "y", `text of ${JSON.stringify(c)}`);
  // composite key of an integer and a date
  await t.db.$executeRawUnsafe(`CREATE TABLE pairs (org int, day date, label text, text text, PRIMARY KEY (org, day))`);
  await t.db.$executeRawUnsafe(`INSERT INTO pairs SELECT o, date '2026-01-01' + d, CASE WHEN (o + d) % 2 = 0 THEN 'even' ELSE 'odd' END, 'row ' || o || '/' || d FROM generate_series(1, 7) o, generate_series(0, 5) d`);
  // no primary key, with duplicate rows and blank texts
  await t.db.$executeRawUnsafe(`CREATE TABLE loose (label text, text text)`);
  await t.db.$executeRawUnsafe(`INSERT INTO loose VALUES ('a', 'one'), ('b', 'two'), ('a', 'one'), ('b', '  '), (NULL, 'x'), ('a', 'three')`);
});

after(async () => t?.drop());

async function source(table: string, columns: string) {
  const [label, text] = columns.split(",");
  const s = await resolveSource(t.db, { table, columns: { label, text } });
  assert.ok(s.ok, JSON.stringify(s));
  return s.source;
}

test("a text primary key: key order, every row once across chunks of 3, texts found by key", async () => {
  const src = await source("Odd Keys", "lbl,body");
  assert.equal(src.key.name, "Code");
  const rows = (await fetchLabelledRows(t.db, src, { chunkSize: 3 })).rows.toRows();
  assert.equal(rows.length, 10);
  const sorted = (await t.db.$queryRawUnsafe<{ c: string }[]>(`SELECT "Code" AS c FROM "Odd Keys" ORDER BY "Code"`)).map((r) => r.c);
  assert.deepEqual(rows.map((r) => r.key), sorted, "key order, as PostgreSQL sorts them");
  const texts = await textsByKey(t.db, src, rows.map((r) => r.key));
  for (const r of rows) assert.equal(texts.get(r.key), r.text, `text of key ${JSON.stringify(r.key)}`);
  const limited = await fetchLabelledRows(t.db, { ...src, limit: 4 }, { chunkSize: 3 });
  assert.deepEqual(limited.rows.toRows().map((r) => r.key), sorted.slice(0, 4));
});

test("an integer key column named like an output column (key, label, text) is still read in numeric key order", async () => {
  for (const name of ["key", "label", "text"]) {
    const table = `named_${name}`;
    const [label, text] = name === "label" ? ["tag", "body"] : name === "text" ? ["tag", "body"] : ["label", "text"];
    await t.db.$executeRawUnsafe(`CREATE TABLE ${table} ("${name}" int PRIMARY KEY, ${name === "key" ? "label text, text text" : "tag text, body text"})`);
    await t.db.$executeRawUnsafe(`INSERT INTO ${table} SELECT i, CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END, 'row ' || i FROM generate_series(12, 1, -1) i`);
    const src = await source(table, `${label},${text}`);
    assert.equal(src.key.name, name);
    const rows = (await fetchLabelledRows(t.db, { ...src, limit: 10 })).rows.toRows();
    assert.deepEqual(rows.map((r) => r.text), Array.from({ length: 10 }, (_, i) => `row ${i + 1}`), `${name}: 1…10, not "1, 10, 11, 12, 2…"`);
  }
});

test("a composite primary key: read in (org, day) order across chunks, keyed as a JSON array", async () => {
  const src = await source("pairs", "label,text");
  assert.equal(src.key.name, "(org, day)");
  const rows = (await fetchLabelledRows(t.db, src, { chunkSize: 5 })).rows.toRows();
  assert.equal(rows.length, 42);
  assert.equal(new Set(rows.map((r) => r.key)).size, 42);
  assert.equal(rows[0].key, '["1", "2026-01-01"]');
  assert.equal(rows[6].key, '["2", "2026-01-01"]');
  const texts = await textsByKey(t.db, src, [rows[13].key, "[\"99\", \"2026-01-01\"]"]);
  assert.equal(texts.get(rows[13].key), rows[13].text);
  assert.equal(texts.size, 1, "a key with no row is missing");
});

test("no primary key: keyed by the md5 of label and text, physical order, blank rows skipped", async () => {
  const src = await source("loose", "label,text");
  assert.equal(src.key.name, "hash(label,text)");
  const fetched = await fetchLabelledRows(t.db, src, { chunkSize: 2 });
  const { skipped } = fetched;
  const rows = fetched.rows.toRows();
  assert.equal(skipped, 2);
  assert.deepEqual(rows.map((r) => r.text), ["one", "two", "one", "three"]);
  assert.equal(rows[0].key, rows[2].key, "identical rows share a key");
  const texts = await textsByKey(t.db, src, [rows[1].key]);
  assert.equal(texts.get(rows[1].key), "two");
});

/** Rows PostgreSQL has read from `table` so far (sequential and index scans), once another backend's counts have landed. */
async function rowsRead(table: string, before?: number): Promise<number> {
  const now = async () =>
    Number((await t.db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) AS n FROM pg_stat_user_tables WHERE relname = $1`, table))[0]?.n ?? 0);
  // A backend reports its counts when it goes idle, within about ten seconds.
  const deadline = Date.now() + 20_000;
  let n = await now();
  while (before !== undefined && n === before && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    n = await now();
  }
  return n;
}

test("a limit reads only that many rows of a large table (the count for progress included), and a whole read sees one snapshot", async () => {
  await t.db.$executeRawUnsafe(`CREATE TABLE big_loose AS SELECT CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END AS label, 'text ' || g AS text FROM generate_series(1, 50000) g`);
  await t.db.$executeRawUnsafe(`CREATE TABLE big_keyed AS SELECT g AS id, label, text FROM (SELECT g, CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END AS label, 'text ' || g AS text FROM generate_series(1, 50000) g) s`);
  await t.db.$executeRawUnsafe(`ALTER TABLE big_keyed ADD PRIMARY KEY (id)`);
  for (const table of ["big_loose", "big_keyed"]) {
    const src = await source(table, "label,text");
    const before = await rowsRead(table);
    const rows = (await fetchLabelledRows(t.db, { ...src, limit: 20 })).rows.toRows();
    assert.deepEqual(rows.map((r) => r.text), Array.from({ length: 20 }, (_, i) => `text ${i + 1}`), `${table}: the first 20 rows in key order`);
    const read = (await rowsRead(table, before)) - before;
    assert.ok(read > 0 && read <= 100, `${table}: ${read} rows read by PostgreSQL for limit 20 of 50,000`);
  }
  // Rows added while a read is under way are not half-seen: the read is one snapshot.
  const src = await source("big_keyed", "label,text");
  let added = false;
  const { rows } = await fetchLabelledRows(t.db, src, {
    onChunk: async () => {
      if (added) return;
      added = true;
      await t.db.$executeRawUnsafe(`INSERT INTO big_keyed SELECT g, 'a', 'late ' || g FROM generate_series(50001, 50100) g`);
    },
  });
  assert.ok(added);
  assert.equal(rows.length, 50_000, "the 100 rows inserted after the read began are not in it");
});
