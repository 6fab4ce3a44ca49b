import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pg from "pg";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { waitFor } from "../helpers/processes";

// The per-process cache's LISTEN side (lib/db/invalidated-cache.ts on lib/db/listener.ts), on a
// real PostgreSQL: a NOTIFY of a topic drops that topic's entries only; a trigger's NOTIFY arrives
// when the change commits; and when the LISTEN connection is killed, everything is dropped, nothing
// is kept while it is down, and it comes back by itself, listening again (a NOTIFY after it still
// drops entries).

let t: TestDatabase;
let cacheModule: typeof import("../../lib/db/invalidated-cache");
let listenerModule: typeof import("../../lib/db/listener");

before(async () => {
  t = await createTestDatabase({ prepare: false, migrate: true }); // the tables and triggers; no demo table, no admin
  process.env.DATABASE_URL = t.url; // the listener's database, read when it first connects
  cacheModule = await import("../../lib/db/invalidated-cache");
  listenerModule = await import("../../lib/db/listener");
});

after(async () => {
  await t?.drop();
});

async function sql(text: string): Promise<unknown[]> {
  const c = new pg.Client({ connectionString: t.url });
  await c.connect();
  try {
    return (await c.query(text)).rows;
  } finally {
    await c.end();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("NOTIFYs drop their topic's entries; a lost LISTEN connection drops everything and comes back", async () => {
  const { CACHE_CHANNEL, sharedCache } = cacheModule;
  const serving = sharedCache<string>("test-serving", "serving");
  const tokens = sharedCache<string>("test-tokens", "tokens");
  const listening = () => listenerModule.listening(CACHE_CHANNEL);
  let t0 = Date.now(); await waitFor("the LISTEN connection", async () => listening(), 10_000, 20); console.log("A", Date.now() - t0);
  const fill = async () => {
    await serving.get("k", async () => "v");
    await tokens.get("k", async () => "v");
    assert.equal(serving.size + tokens.size, 2);
  };

  await fill();
  await sql(`SELECT pg_notify('${CACHE_CHANNEL}', 'tokens')`);
  await waitFor("the tokens topic to be dropped", async () => tokens.size === 0, 5000, 10);
  await sleep(100);
  assert.equal(serving.size, 1, "another topic's NOTIFY leaves the serving entries");

  // a trigger's NOTIFY, sent when the change commits (a statement-level trigger: it fires even on no rows)
  await fill();
  await t.db.model.updateMany({ data: { promotedAt: new Date() } });
  await waitFor("the serving topic to be dropped", async () => serving.size === 0, 5000, 10);
  assert.equal(tokens.size, 1);

  // the LISTEN connection is killed: everything goes, nothing is kept while it is down
  await fill();
  await sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query ILIKE 'LISTEN%' AND datname = current_database()`);
  await waitFor("the drop to be noticed", async () => !listening(), 5000, 10);
  assert.equal(serving.size + tokens.size, 0, "a lost connection drops every entry");
  await serving.get("k", async () => "v");
  assert.equal(serving.size, 0, "nothing is kept while changes cannot be heard");

  t0 = Date.now(); await waitFor("the LISTEN connection to come back", async () => listening(), 10_000, 20); console.log("B", Date.now() - t0);
  await fill();
  await sql(`SELECT pg_notify('${CACHE_CHANNEL}', 'serving')`);
  await waitFor("a NOTIFY after the reconnection to drop entries", async () => serving.size === 0, 5000, 10);
});
