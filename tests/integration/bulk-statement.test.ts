import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import v8 from "node:v8";
import { after, before, test } from "node:test";
import { bulkExecute, bulkQuery } from "../../lib/db/bulk-statement";
import { collectGarbageIfGrown } from "../../lib/process/collect-garbage";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

// A statement with big parameters (a run's test rows, a version's record in parts) must not leave
// them alive in Prisma's debug histories (lib/db/bulk-statement.ts). Measured as the JS heap left
// after a full collection: five statements of 4 MiB of bytes each, through bulkExecute, leave
// nothing; the same five through $executeRawUnsafe (the control: what the save did before) leave
// their base64 copies, about 5 × 2 × 5.6 MB.

let t: TestDatabase;

before(async () => {
  t = await createTestDatabase({ prepare: false, migrate: false });
  await t.db.$executeRawUnsafe(`CREATE TABLE blobs (id serial PRIMARY KEY, bytes bytea NOT NULL)`);
});

after(async () => {
  await t?.drop();
});

/** The JS heap in use after a full collection. */
function liveHeap(): number {
  collectGarbageIfGrown(0);
  return v8.getHeapStatistics().used_heap_size;
}

const INSERT = `INSERT INTO blobs (bytes) VALUES ($1)`;
const STATEMENTS = 5;
const BYTES = 4 * 2 ** 20;

/** The heap kept alive by five inserts of fresh random bytes run by `run`, followed by some small queries (as a save's go on). */
async function keptBy(run: (bytes: Buffer) => Promise<unknown>): Promise<number> {
  await t.db.$queryRawUnsafe(`SELECT 1`);
  const floor = liveHeap();
  for (let i = 0; i < STATEMENTS; i++) await run(randomBytes(BYTES));
  for (let i = 0; i < 3; i++) await t.db.$queryRawUnsafe(`SELECT count(*)::int AS n FROM blobs`);
  return liveHeap() - floor;
}

test("a bulk statement's parameters do not outlive it; through plain Prisma they do (the control)", async () => {
  const plain = await keptBy((b) => t.db.$executeRawUnsafe(INSERT, b));
  const bulk = await keptBy((b) => bulkExecute(t.db, INSERT, b));
  assert.ok(plain > STATEMENTS * BYTES, `the control: plain statements keep their parameters (${(plain / 2 ** 20).toFixed(1)} MiB kept)`);
  assert.ok(bulk < BYTES, `bulk statements keep ${(bulk / 2 ** 20).toFixed(1)} MiB (plain: ${(plain / 2 ** 20).toFixed(1)} MiB)`);
});

test("in one transaction too (as a run's save writes them), and for queries: the rows come back whole", async () => {
  // as a run's save does: the statements in one transaction
  await t.db.$queryRawUnsafe(`SELECT 1`);
  const floor = liveHeap();
  await t.db.$transaction(async (tx) => {
    for (let i = 0; i < STATEMENTS; i++) await bulkExecute(tx, INSERT, randomBytes(BYTES));
  });
  for (let i = 0; i < 3; i++) await t.db.$queryRawUnsafe(`SELECT count(*)::int AS n FROM blobs`);
  const kept = liveHeap() - floor;
  // Without the eviction five such statements keep over 50 MiB (the control above); inside a
  // transaction up to about 16 MiB (the last statements' parameters) is sometimes still held for a
  // while after commit by Prisma's transaction handling, sometimes nothing: never all of them.
  assert.ok(kept < STATEMENTS * BYTES, `${(kept / 2 ** 20).toFixed(1)} MiB kept`);
  const bytes = randomBytes(BYTES);
  const [{ id }] = await bulkQuery<{ id: number }[]>(t.db, `INSERT INTO blobs (bytes) VALUES ($1) RETURNING id`, bytes);
  const [{ back }] = await bulkQuery<{ back: Uint8Array }[]>(t.db, `SELECT bytes AS back FROM blobs WHERE id = $1`, id);
  assert.ok(Buffer.from(back).equals(bytes));
});
