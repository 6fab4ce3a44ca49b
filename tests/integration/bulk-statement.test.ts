import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import v8 from "node:v8";
import { after, before, test } from "node:test";
import { bulkExecute, bulkQuery } from "../../lib/db/bulk-statement";
import { collectGarbageIfGrown } from "../../lib/process/collect-garbage";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

// A statement with big parameters (a run's test rows, a version's record in parts) must not leave
// them alive in Prisma's debug histories (lib/db/bulk-statement.ts). Measured as the JS heap left
// after a full collection: sixteen statements of 2 MiB of bytes each through $executeRawUnsafe (the
// control: what the save did before) leave all their base64 copies, about 16 × 2 × 2.8 MB; through
// bulkExecute at most the last few statements' (often none; on a loaded machine up to about 2.5
// statements' were still held right after them, by something other than the debug histories, and
// let go moments later: the bound is checked until it holds or 3 s have passed): bounded, not
// growing with the number of statements as the histories' 100 entries did.

let t: TestDatabase;
/** the heap one plain statement's parameters keep alive (measured by the first test) */
let perStatement = 6 * 2 ** 20;

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
const STATEMENTS = 16;
const BYTES = 2 * 2 ** 20;
/** what may stay behind: the parameters of this many statements (as the control keeps them per statement) */
const RESIDUE_STATEMENTS = 4;

/**
 * The heap kept above `floor`, measured until it is under `bound` or 3 s have passed: on a loaded
 * machine the last statements' parameters are sometimes still held for a moment after them (by
 * the connection's buffers, not the histories); what the histories hold never goes.
 */
async function keptAfterSettling(floor: number, bound = Infinity): Promise<number> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const kept = liveHeap() - floor;
    if (kept < bound || Date.now() > deadline) return kept;
    await t.db.$queryRawUnsafe(`SELECT 1`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The heap kept alive by sixteen inserts of fresh random bytes run by `run`, followed by some small queries (as a save's go on). */
async function keptBy(run: (bytes: Buffer) => Promise<unknown>, bound?: number): Promise<number> {
  await t.db.$queryRawUnsafe(`SELECT 1`);
  const floor = liveHeap();
  for (let i = 0; i < STATEMENTS; i++) await run(randomBytes(BYTES));
  for (let i = 0; i < 3; i++) await t.db.$queryRawUnsafe(`SELECT count(*)::int AS n FROM blobs`);
  return keptAfterSettling(floor, bound);
}

test("a bulk statement's parameters do not outlive it; through plain Prisma they do (the control)", async () => {
  const plain = await keptBy((b) => t.db.$executeRawUnsafe(INSERT, b));
  assert.ok(plain > STATEMENTS * BYTES, `the control: plain statements keep their parameters (${(plain / 2 ** 20).toFixed(1)} MiB kept)`);
  perStatement = plain / STATEMENTS;
  const bulk = await keptBy((b) => bulkExecute(t.db, INSERT, b), RESIDUE_STATEMENTS * perStatement);
  assert.ok(bulk < RESIDUE_STATEMENTS * perStatement, `bulk statements keep ${(bulk / 2 ** 20).toFixed(1)} MiB (plain: ${(plain / 2 ** 20).toFixed(1)} MiB)`);
});

test("in one transaction too (as a run's save writes them), and for queries: the rows come back whole", async () => {
  // as a run's save does: the statements in one transaction
  await t.db.$queryRawUnsafe(`SELECT 1`);
  const floor = liveHeap();
  await t.db.$transaction(async (tx) => {
    for (let i = 0; i < STATEMENTS; i++) await bulkExecute(tx, INSERT, randomBytes(BYTES));
  });
  for (let i = 0; i < 3; i++) await t.db.$queryRawUnsafe(`SELECT count(*)::int AS n FROM blobs`);
  const kept = await keptAfterSettling(floor, RESIDUE_STATEMENTS * perStatement);
  // as above: at most the last few statements' parameters (inside a transaction they are sometimes
  // still held for a while after commit), never the histories' many
  assert.ok(kept < RESIDUE_STATEMENTS * perStatement, `${(kept / 2 ** 20).toFixed(1)} MiB kept (plain statements: ${(perStatement / 2 ** 20).toFixed(1)} MiB each)`);
  const bytes = randomBytes(BYTES);
  const [{ id }] = await bulkQuery<{ id: number }[]>(t.db, `INSERT INTO blobs (bytes) VALUES ($1) RETURNING id`, bytes);
  const [{ back }] = await bulkQuery<{ back: Uint8Array }[]>(t.db, `SELECT bytes AS back FROM blobs WHERE id = $1`, id);
  assert.ok(Buffer.from(back).equals(bytes));
});
