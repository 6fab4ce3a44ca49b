import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { KeyHashes, KeyHashSet } from "../../lib/rows/key-hash";
import { RECORD_PART_BYTES, rowsOfVersion, saveVersionRows } from "../../lib/rows/version-rows";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

// A version's record of the rows it trained on and has seen (VersionTrainedRows) is written and read
// back a part at a time (a 7,000,000-row version's is 100 MB): every hash comes back, in order, for
// records smaller and bigger than a part, and a version without one has none.

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
    assert.deepEqual(Buffer.from(back.trained.toBytes()), Buffer.from(rows.trained.toBytes()), `case ${k}: trained`);
    assert.deepEqual(Buffer.from(back.seen.toBytes()), Buffer.from(rows.seen.toBytes()), `case ${k}: seen`);
    const record = await t.db.versionTrainedRows.findUniqueOrThrow({ where: { versionId: v.id }, select: { count: true, seenCount: true } });
    assert.deepEqual(record, { count: rows.trained.size, seenCount: rows.seen.size });
  }
  const bare = await t.db.modelVersion.create({ data: { modelId: model.id, artifactHash: "f".repeat(64), labels: ["a"], metrics: {}, request: {} } });
  assert.equal(await rowsOfVersion(t.db, bare.id), null, "no record: null");
});
