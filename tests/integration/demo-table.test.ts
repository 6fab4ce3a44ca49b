import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import type { PrismaClient } from "@/lib/db/client";
import { buildDemoRows, DEMO_TABLE, fillDemoTable } from "@/lib/data/demo-table";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

let t: TestDatabase | undefined;
let db: PrismaClient | undefined;
let sql: pg.Client | undefined;

before(async () => {
  t = await createTestDatabase({ prepare: false, migrate: true });
  db = t.db;
  sql = new pg.Client({ connectionString: t.url });
  await sql.connect();
});

after(async () => {
  await sql?.end().catch(() => {});
  await t?.drop();
});

test("fillDemoTable fills demo_email once, de-duplicated, with both labels", { timeout: 120_000 }, async () => {
  assert.ok(db && sql);
  assert.equal(DEMO_TABLE, "demo_email");

  let calls = 0;
  let last: [number, number] = [0, 0];
  let parsedAt = 0;
  const t0 = performance.now();
  const first = await fillDemoTable(db, (done, total) => {
    calls++;
    last = [done, total];
    if (done === total) parsedAt = performance.now();
  });
  const t1 = performance.now();
  console.log(
    `seeded ${first.inserted} rows in ${Math.round(t1 - t0)} ms ` +
      `(parse ${Math.round(parsedAt - t0)} ms, insert ${Math.round(t1 - parsedAt)} ms)`,
  );

  assert.equal(first.skipped, false);
  assert.ok(first.inserted >= 5800 && first.inserted <= 6000, `inserted ${first.inserted}`);
  assert.deepEqual(last, [6046, 6046]);
  assert.equal(calls, 6046);

  const { rows: counts } = await sql.query<{ label: string; n: number }>(
    `SELECT label, count(*)::int AS n FROM ${DEMO_TABLE} GROUP BY label ORDER BY label`,
  );
  const byLabel = Object.fromEntries(counts.map((r) => [r.label, r.n]));
  console.log("rows per label", byLabel);
  assert.deepEqual(Object.keys(byLabel), ["ham", "spam"]);
  assert.equal(byLabel.ham + byLabel.spam, first.inserted);
  assert.ok(byLabel.spam >= 1750 && byLabel.spam <= 1900, `spam ${byLabel.spam}`);
  assert.ok(byLabel.ham >= 4000 && byLabel.ham <= 4150, `ham ${byLabel.ham}`);

  const { rows: sources } = await sql.query<{ source: string; label: string }>(
    `SELECT DISTINCT source, label FROM ${DEMO_TABLE} ORDER BY source`,
  );
  assert.deepEqual(sources, [
    { source: "easy-ham-1", label: "ham" },
    { source: "easy-ham-2", label: "ham" },
    { source: "hard-ham-1", label: "ham" },
    { source: "spam-1", label: "spam" },
    { source: "spam-2", label: "spam" },
  ]);

  const { rows: uniq } = await sql.query<{ total: number; distinct_sha: number; distinct_text: number; empty: number; bad_sha: number }>(
    `SELECT count(*)::int AS total,
            count(DISTINCT text_sha256)::int AS distinct_sha,
            count(DISTINCT text)::int AS distinct_text,
            count(*) FILTER (WHERE btrim(text) = '')::int AS empty,
            count(*) FILTER (WHERE text_sha256 <> encode(sha256(convert_to(text, 'UTF8')), 'hex'))::int AS bad_sha
       FROM ${DEMO_TABLE}`,
  );
  assert.equal(uniq[0].distinct_sha, uniq[0].total);
  assert.equal(uniq[0].distinct_text, uniq[0].total);
  assert.equal(uniq[0].empty, 0);
  assert.equal(uniq[0].bad_sha, 0, "text_sha256 is the SHA-256 of the stored text");

  // A fixed shuffled order: the first rows (what a request's `limit` takes) hold both labels in
  // about their overall proportion, and two seeds give the same order.
  const { rows: head } = await sql.query<{ spam: number }>(
    `SELECT count(*) FILTER (WHERE label = 'spam')::int AS spam FROM (SELECT label FROM ${DEMO_TABLE} ORDER BY id LIMIT 500) h`,
  );
  const share = head[0].spam / 500;
  const overall = byLabel.spam / first.inserted;
  assert.ok(Math.abs(share - overall) < 0.08, `spam share in the first 500 rows ${share} vs overall ${overall}`);
  const { rows: firstIds } = await sql.query<{ text_sha256: string }>(`SELECT text_sha256 FROM ${DEMO_TABLE} ORDER BY id LIMIT 5`);
  const rebuilt = await buildDemoRows();
  assert.deepEqual(rebuilt.slice(0, 5).map((r) => r.textSha256), firstIds.map((r) => r.text_sha256));

  // No e-mail plumbing in the stored text.
  const { rows: dirty } = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${DEMO_TABLE}
      WHERE text ~* '(?n)^[ >|]*(Content-Type:[ \\t]*[a-z0-9.-]+/[a-z0-9.+-]+[ \\t]*(;|$)|Received:[ \\t]+from )' OR text ILIKE '%<html%'`,
  );
  assert.equal(dirty[0].n, 0);

  const second = await fillDemoTable(db);
  assert.deepEqual(second, { inserted: 0, skipped: true });
  const { rows: again } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${DEMO_TABLE}`);
  assert.equal(again[0].n, first.inserted);
});
