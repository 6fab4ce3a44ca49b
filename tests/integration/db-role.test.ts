import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import pg from "pg";
import { createDb, type Db } from "../../lib/db/client";
import { enqueueRun } from "../../lib/runs/web/enqueue";
import { createTestDatabase, tmpDir, type TestDatabase } from "../helpers/db";
import { startWorkerProcess, waitFor, type Proc } from "../helpers/processes";

// The product's database role needs no write access to the users' tables: a role with all
// privileges on the product's own tables and only SELECT on a user's table (in another schema,
// owned by someone else) queues and trains a run on that table.

let t: TestDatabase;
let worker: Proc | undefined;
let restricted: Db | undefined;
const role = `ftd_app_${randomBytes(4).toString("hex")}`;
const password = randomBytes(12).toString("hex");
let roleUrl = "";

async function asOwner(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: t.url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

before(async () => {
  t = await createTestDatabase();
  await asOwner(`
    CREATE SCHEMA shop;
    CREATE TABLE shop.reviews AS SELECT label, text FROM demo_email ORDER BY id LIMIT 400;
    CREATE ROLE ${role} LOGIN PASSWORD '${password}';
    GRANT USAGE ON SCHEMA public TO ${role};
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role};
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role};
    GRANT USAGE ON SCHEMA shop TO ${role};
    GRANT SELECT ON shop.reviews TO ${role};`);
  const url = new URL(t.url);
  url.username = role;
  url.password = password;
  roleUrl = url.href;
  restricted = createDb(roleUrl, 2);
});

after(async () => {
  await worker?.stop("SIGKILL");
  await restricted?.$disconnect();
  await t?.drop();
  const admin = new pg.Client({ connectionString: process.env.TEST_PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
  await admin.end();
});

test("a run reads a table on which the product's role has only SELECT", { timeout: 180_000 }, async () => {
  const write = await restricted!.$executeRawUnsafe(`INSERT INTO shop.reviews VALUES ('ham', 'x')`).catch((e: Error) => e);
  assert.ok(write instanceof Error && /permission denied/.test(write.message), "the role cannot write the user's table");

  worker = startWorkerProcess({ DATABASE_URL: roleUrl, MODELS_DIR: tmpDir("models") });
  const queued = await enqueueRun(restricted!, { table: "shop.reviews", columns: "label,text", limit: 400, p_of_train: 0.8, num_train_epochs: 1, seed: 5 }, null);
  assert.ok(queued.ok, JSON.stringify(queued));
  const run = await waitFor("the run", async () => {
    const r = await t.db.trainingRun.findUniqueOrThrow({ where: { id: queued.id } });
    return ["succeeded", "failed", "cancelled"].includes(r.status) ? r : null;
  }, 150_000, 300);
  assert.equal(run.status, "succeeded", `${run.error}\n${worker.output().slice(-2000)}`);
  assert.equal((run.stats as { rows: number }).rows, 400);
});
