import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { fetchLabelledRows } from "../../lib/runs/fetch-rows";
import { resolveSource } from "../../lib/runs/resolve-request";
import { TextSpill } from "../../lib/runs/text-spill";
import { createTestDatabase, tmpDir, type TestDatabase } from "../helpers/db";

// The fetch reads a table through `COPY … TO STDOUT` as bytes (lib/runs/fetch-rows.ts,
// lib/db/copy-text.ts). Against the real PostgreSQL: texts that COPY must escape come back exactly,
// in memory and through spill files; a fetch stopped part-way leaves no COPY, lock or transaction
// behind; progress comes as the rows do.

let t: TestDatabase;

const HOSTILE: [string | null, string | null][] = [
  ["spam", "plain"],
  ["ham", "tab\there\tand\nnewlines\n\nand\r\nreturns"],
  ["spam", "back\\slash, \\N, \\t, \\\\ and a trailing backslash\\"],
  ["ham", "\\N"],
  [" spam ", "label with spaces around it"],
  ["ham", "control \u0001\u0007\b\f\v characters"],
  ["spam", "Café 日本語 😀 \u00a0 naïve"],
  ["ham", "x".repeat(3 * 2 ** 20) + "\t" + "y".repeat(100)],
  ["spam", "é".repeat(3 * 2 ** 20)], // 6 MiB of UTF-8: past a spill file's write batch
  // skipped: no label, a blank label, no text, empty and blank texts (Unicode spaces too)
  [null, "no label"],
  ["  ", "blank label"],
  ["ham", null],
  ["ham", ""],
  ["spam", " \t\n "],
  ["ham", "\u00a0\u2003\u3000"],
  ["spam", "after the skipped ones"],
];

before(async () => {
  t = await createTestDatabase({ prepare: false });
  await t.db.$executeRawUnsafe(`CREATE TABLE hostile (id int PRIMARY KEY, label text, body text)`);
  for (const [i, [label, body]] of HOSTILE.entries()) await t.db.$executeRawUnsafe(`INSERT INTO hostile VALUES ($1, $2, $3)`, i + 1, label, body);
  await t.db.$executeRawUnsafe(`CREATE TABLE many AS SELECT g AS id, CASE WHEN g % 3 = 0 THEN 'a' ELSE 'b' END AS label, 'text number ' || g || repeat(' word', 300) AS text FROM generate_series(1, 30000) g`);
  await t.db.$executeRawUnsafe(`ALTER TABLE many ADD PRIMARY KEY (id)`); // 46 MB of text: more than the sockets' buffers hold, so a COPY stopped part-way is still sending
});

after(async () => t?.drop());

async function source(table: string, label: string, text: string) {
  const s = await resolveSource(t.db, { table, columns: { label, text } });
  assert.ok(s.ok, JSON.stringify(s));
  return s.source;
}

test("texts COPY escapes (tabs, newlines, backslashes, \\N, control characters, 6 MiB) come back exactly, in memory and spilled; blank rows skipped", async () => {
  const src = await source("hostile", "label", "body");
  const expected = HOSTILE.map(([label, text], i) => ({ key: String(i + 1), label: label?.trim() ?? "", text }))
    .filter((r) => r.label !== "" && r.text !== null && r.text.trim() !== "")
    .map((r) => ({ ...r, text: r.text! }));
  assert.equal(expected.length, HOSTILE.length - 6);
  const inMemory = await fetchLabelledRows(t.db, src, { chunkSize: 2 });
  assert.equal(inMemory.skipped, 6);
  assert.deepEqual(inMemory.rows.toRows(), expected);

  const dir = tmpDir("fetch-copy-");
  const spill = { keys: new TextSpill(path.join(dir, "spill"), "keys"), texts: new TextSpill(path.join(dir, "spill"), "texts") };
  try {
    const spilled = await fetchLabelledRows(t.db, src, { spill: () => spill });
    assert.equal(spilled.rows.textsSpilled, true);
    assert.equal(spilled.skipped, 6);
    assert.deepEqual(spilled.rows.toRows(), expected);
  } finally {
    spill.keys.close();
    spill.texts.close();
  }
});

test("a label column of another type is read as its text", async () => {
  await t.db.$executeRawUnsafe(`CREATE TABLE int_labels (id serial PRIMARY KEY, stars int, review text)`);
  await t.db.$executeRawUnsafe(`INSERT INTO int_labels (stars, review) VALUES (5, 'great'), (1, 'awful'), (NULL, 'unrated')`);
  const { rows, skipped } = await fetchLabelledRows(t.db, await source("int_labels", "stars", "review"));
  assert.deepEqual(rows.toRows(), [
    { key: "1", label: "5", text: "great" },
    { key: "2", label: "1", text: "awful" },
  ]);
  assert.equal(skipped, 1);
});

test("progress comes about every chunkSize rows, the last with every row read", async () => {
  const calls: [number, number][] = [];
  const { rows } = await fetchLabelledRows(t.db, await source("many", "label", "text"), { chunkSize: 1000, onChunk: (read, total) => void calls.push([read, total]) });
  assert.equal(rows.length, 30_000);
  assert.deepEqual(calls.at(-1), [30_000, 30_000]);
  assert.ok(calls.length >= 10, `${calls.length} progress calls for 30 chunks of 1,000`);
  for (let k = 1; k < calls.length; k++) assert.ok(calls[k][0] > calls[k - 1][0], "read only grows");
  assert.ok(calls.every(([, total]) => total === 30_000));
});

test("a fetch stopped part-way (its progress callback throws) ends its COPY: no query, lock or transaction left, and the pool still serves", async () => {
  const src = await source("many", "label", "text");
  await assert.rejects(
    fetchLabelledRows(t.db, src, {
      chunkSize: 100,
      onChunk: () => {
        throw new Error("cancelled by the test");
      },
    }),
    /cancelled by the test/,
  );
  // PostgreSQL notices the closed socket when it next sends: the backend ends within moments
  const deadline = Date.now() + 10_000;
  let left: { pid: number; state: string; query: string }[] = [];
  do {
    left = await t.db.$queryRawUnsafe(`SELECT pid, state, query FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE '%COPY%many%'`);
    if (left.length === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  } while (Date.now() < deadline);
  assert.deepEqual(left, [], "the COPY's backend is gone");
  // nothing holds a lock on the table: an exclusive lock is granted at once
  await t.db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = '2s'`);
    await tx.$executeRawUnsafe(`LOCK TABLE many IN ACCESS EXCLUSIVE MODE`);
  });
  // the pool's connections all still work, and a new fetch reads everything
  await Promise.all(Array.from({ length: 8 }, () => t.db.$queryRawUnsafe(`SELECT 1`)));
  assert.equal((await fetchLabelledRows(t.db, src)).rows.length, 30_000);
});
