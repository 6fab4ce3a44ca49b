import assert from "node:assert/strict";
import { cpSync, readdirSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { migrate } from "../../lib/db/migrate";
import { KeyHashes, KeyHashSet } from "../../lib/rows/key-hash";
import { RECORD_PART_BYTES, rowsOfVersion, saveVersionRows } from "../../lib/rows/version-rows";
import { createTestDatabase, tmpDir, type TestDatabase } from "../helpers/db";

/** A set's bytes, whole (its parts joined). */
const bytesOf = (set: KeyHashSet) => Buffer.concat([...set.parts(RECORD_PART_BYTES)]);

// A version's record of the rows it trained on and has seen (VersionTrainedRows, its sets in
// VersionRowsPart) is written and read back a part at a time (a 7,000,000-row version's is 100 MB):
// every hash comes back, in order, for records smaller and bigger than a part; a version without one
// has none; a part missing is an error naming it; deleting the version deletes its parts; and a record
// of the earlier layout (one bytea value per set) is cut into the same parts by its migration.

let t: TestDatabase;

before(async () => {
  t = await createTestDatabase({ prepare: true });
});

after(async () => {
  await t?.drop();
});

function randomHashes(n: number, seed: number): KeyHashes {
  const words = new Uint32Array(2 * n);
  let x = seed;
  for (let i = 0; i < words.length; i++) words[i] = x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
  return KeyHashes.fromWords(words);
}

test("a version's record round-trips exactly, in parts, whether smaller or bigger than a part", async () => {
  const model = await t.db.model.findFirstOrThrow();
  // 1,500,000 hashes: 12 MB, more than one part; and a set of 3 and an empty one
  const big = randomHashes(1_500_000, 7);
  assert.ok(1_500_000 * 8 > RECORD_PART_BYTES);
  const cases = [
    { trained: KeyHashSet.from(big, Int32Array.from({ length: 1_200_000 }, (_, i) => i)), seen: KeyHashSet.from(big) },
    { trained: KeyHashSet.from(randomHashes(3, 1)), seen: KeyHashSet.empty },
  ];
  for (const [k, rows] of cases.entries()) {
    const v = await t.db.modelVersion.create({ data: { modelId: model.id, artifactHash: `${k}`.repeat(64), labels: ["a"], metrics: {}, request: {} } });
    await t.db.$transaction((tx) => saveVersionRows(tx, v.id, rows));
    const back = await rowsOfVersion(t.db, v.id);
    assert.ok(back);
    assert.equal(back.trained.size, rows.trained.size);
    assert.equal(back.seen.size, rows.seen.size);
    assert.deepEqual(bytesOf(back.trained), bytesOf(rows.trained), `case ${k}: trained`);
    assert.deepEqual(bytesOf(back.seen), bytesOf(rows.seen), `case ${k}: seen`);
    const record = await t.db.versionTrainedRows.findUniqueOrThrow({ where: { versionId: v.id }, select: { count: true, seenCount: true } });
    assert.deepEqual(record, { count: rows.trained.size, seenCount: rows.seen.size });
    const parts = await t.db.$queryRawUnsafe<{ kind: string; part: number; n: number }[]>(`SELECT kind, part, octet_length(bytes) AS n FROM "VersionRowsPart" WHERE "versionId" = $1 ORDER BY kind DESC, part`, v.id);
    const expect = (kind: string, size: number) =>
      Array.from({ length: Math.ceil((size * 8) / RECORD_PART_BYTES) }, (_, part) => ({ kind, part, n: Math.min(RECORD_PART_BYTES, size * 8 - part * RECORD_PART_BYTES) }));
    assert.deepEqual(parts, [...expect("trained", rows.trained.size), ...expect("seen", rows.seen.size)], `case ${k}: the parts`);
  }
  const bare = await t.db.modelVersion.create({ data: { modelId: model.id, artifactHash: "f".repeat(64), labels: ["a"], metrics: {}, request: {} } });
  assert.equal(await rowsOfVersion(t.db, bare.id), null, "no record: null");
});

test("a part missing is an error naming it; deleting the version deletes its record and parts", async () => {
  const model = await t.db.model.findFirstOrThrow();
  const v = await t.db.modelVersion.create({ data: { modelId: model.id, artifactHash: "e".repeat(64), labels: ["a"], metrics: {}, request: {} } });
  const big = randomHashes(1_200_000, 3);
  await t.db.$transaction((tx) => saveVersionRows(tx, v.id, { trained: KeyHashSet.from(big), seen: KeyHashSet.from(big) }));
  await t.db.$executeRawUnsafe(`DELETE FROM "VersionRowsPart" WHERE "versionId" = $1 AND kind = 'seen' AND part = 1`, v.id);
  await assert.rejects(rowsOfVersion(t.db, v.id), /part 1 of its seen rows is missing/);
  await t.db.modelVersion.delete({ where: { id: v.id } });
  const [{ n }] = await t.db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "VersionRowsPart" WHERE "versionId" = $1`, v.id);
  assert.equal(n, 0, "no part outlives its version");
});

test("a record of the earlier layout (one value per set) is cut into parts by the migration, every hash kept", async () => {
  const db = await createTestDatabase({ prepare: false, migrate: false });
  try {
    // the migrations up to the one that made the parts
    const all = readdirSync(path.resolve("prisma", "migrations")).filter((d) => /^\d+_/.test(d)).sort();
    const cut = all.indexOf("20261201090000_version_rows_parts");
    assert.ok(cut > 0);
    const before = tmpDir("migrations");
    for (const d of all.slice(0, cut)) cpSync(path.resolve("prisma", "migrations", d), path.join(before, d), { recursive: true });
    await migrate(db.url, before);
    const trained = KeyHashSet.from(randomHashes(1_500_000, 11)); // 12 MB: two parts
    const seen = KeyHashSet.from(randomHashes(3, 12));
    await db.db.$executeRawUnsafe(`INSERT INTO "Model" (id, name) VALUES ('m1', 'm1')`);
    await db.db.$executeRawUnsafe(`INSERT INTO "ModelVersion" (id, "modelId", "artifactHash", labels) VALUES ('v1', 'm1', 'h', '{a}'), ('v2', 'm1', 'h', '{a}')`);
    await db.db.$executeRawUnsafe(`INSERT INTO "VersionTrainedRows" ("versionId", count, hashes, "seenCount", "seenHashes") VALUES ('v1', $1, $2, $3, $4), ('v2', 0, '', 0, '')`, trained.size, bytesOf(trained), seen.size, bytesOf(seen));
    await migrate(db.url);
    const back = await rowsOfVersion(db.db, "v1");
    assert.ok(back);
    assert.ok(bytesOf(back.trained).equals(bytesOf(trained)), "trained: every hash, in order");
    assert.ok(bytesOf(back.seen).equals(bytesOf(seen)), "seen");
    const empty = await rowsOfVersion(db.db, "v2");
    assert.equal(empty?.trained.size, 0);
    assert.equal(empty?.seen.size, 0);
  } finally {
    await db.drop();
  }
});
