import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { mulberry32, randInt } from "../../lib/training/rng";
import { initStaticParams } from "../../lib/training/static-model";
import { TOPIC_VOCAB, topicAccuracy, topicRows } from "../helpers/topic-ids";
import { evaluateStatic, resolveTrainArgs, trainStatic } from "../../lib/training/train-static";
import { TokenBuckets, TokenRowFile } from "../../lib/training/token-spill";
import { inMemoryPieces, type TokenPiece } from "../../lib/training/train-pieces";
import { removeDeadSpills } from "../../lib/process/spill-files";
import { bucketsFor, BUCKET_BYTES } from "../../lib/kinds/starter/encoded-rows";

// Token ids spilled to files (lib/training/token-spill.ts) and trained on a bucket at a time
// (lib/training/train-pieces.ts): what is read back is exactly what was written, every row lands
// in one bucket, and training on buckets learns as training on the rows in memory does.

const tmp = () => mkdtempSync(path.join(os.tmpdir(), "ids-"));
const V = TOPIC_VOCAB;
/** Rows of 0 … maxLen - 1 ids (empty ones included). */
const rows = (n: number, seed: number, maxLen = 40) => topicRows(n, seed, { minLength: 0, spread: maxLen });
const rowsOf = (p: TokenPiece) => Array.from(p.lengths, (len, i) => [p.labels[i], ...p.ids.subarray(p.starts[i], p.starts[i] + len)]);
const accuracy = topicAccuracy;

test("TokenRowFile: every row (empty, short, longer than the write buffer) reads back exactly, whole and by any range, before and after it is written; close removes the file", () => {
  const dir = tmp();
  const file = new TokenRowFile(path.join(dir, "spill"), "run-1-test", { ranges: true });
  const data = rows(3000, 1);
  data.ids.splice(7, 0, new Int32Array(0), Int32Array.from({ length: 100_000 }, (_, i) => i));
  data.labels.splice(7, 0, 2, 1);
  try {
    data.ids.forEach((ids, i) => file.append(ids, data.labels[i]));
    const expected = data.ids.map((ids, i) => [data.labels[i], ...ids]);
    // read while the last rows still wait in the write buffer
    assert.deepEqual(rowsOf(file.readRange(2990, 3002)), expected.slice(2990, 3002));
    assert.deepEqual(rowsOf(file.readAll()), expected);
    assert.equal(file.size, 3002);
    assert.equal(file.longest, 100_000);
    const rng = mulberry32(5);
    for (let k = 0; k < 50; k++) {
      const from = randInt(rng, 3002);
      const to = from + randInt(rng, 3002 - from + 1);
      assert.deepEqual(rowsOf(file.readRange(from, to)), expected.slice(from, to), `[${from}, ${to})`);
    }
    assert.deepEqual(rowsOf(file.readRange(5, 5)), []);
    const reader = file.reader();
    assert.equal(reader.length, 3002);
    assert.deepEqual(reader.read(6, 9).map((r) => [...r]), data.ids.slice(6, 9).map((r) => [...r]));
    // a block is valid until the next read, which reuses its memory: reading it after that throws
    const first = reader.read(0, 2);
    assert.deepEqual([...first[1]], [...data.ids[1]]);
    reader.read(2, 4);
    assert.throws(() => first[0], /earlier read of a file/);
    assert.deepEqual([...file.readAll().labels], data.labels);
    assert.throws(() => file.readRange(0, 3003), RangeError);
    assert.match(path.basename(file.file), new RegExp(`^ids-.*-${process.pid}-run-1-test\\.bin$`));
    assert.throws(() => new TokenRowFile(path.join(dir, "spill"), "run-1-test"), /EEXIST/, "a second file of the same name is refused");
  } finally {
    file.close();
  }
  assert.equal(existsSync(file.file), false, "close removes the file");
  assert.throws(() => file.readAll(), /closed/);
  file.close();
});

test("TokenBuckets: every row lands in exactly one bucket, the buckets are about even, the same seed deals the same way and another seed differently", () => {
  const dir = tmp();
  const data = rows(20_000, 2);
  let made = 0;
  const deal = (seed: number) => {
    const b = new TokenBuckets(dir, `run-${++made}-train`, 8, seed);
    data.ids.forEach((ids, i) => b.append(ids, data.labels[i]));
    b.flush();
    return b;
  };
  const a = deal(1);
  const again = deal(1);
  const other = deal(2);
  try {
    assert.equal(readdirSync(dir).filter((n) => n.startsWith("ids-")).length, 24);
    assert.equal(a.rows, 20_000);
    assert.equal(a.count, 8);
    const all: string[] = [];
    for (let k = 0; k < 8; k++) {
      assert.ok(a.rowsIn(k) > 2500 * 0.85 && a.rowsIn(k) < 2500 * 1.15, `bucket ${k}: ${a.rowsIn(k)} rows`);
      const got = rowsOf(a.read(k));
      assert.equal(got.length, a.rowsIn(k));
      all.push(...got.map((r) => r.join(",")));
      assert.deepEqual(got, rowsOf(again.read(k)), "the same seed deals the same rows, in the same order");
    }
    assert.deepEqual(all.sort(), data.ids.map((ids, i) => [data.labels[i], ...ids].join(",")).sort(), "every row exactly once");
    assert.notDeepEqual(rowsOf(other.read(0)), rowsOf(a.read(0)));
    // every read after the biggest bucket's lands in the same shared memory (no new buffer per bucket), with its own rows
    const sizes = Array.from({ length: 8 }, (_, k) => a.rowsIn(k));
    const biggest = sizes.indexOf(Math.max(...sizes));
    const memory = a.read(biggest).ids.buffer;
    for (let k = 0; k < 8; k++) {
      const p = a.read(k);
      assert.equal(p.ids.buffer, memory, `bucket ${k} reuses the buffer`);
      assert.equal(p.lengths.length, a.rowsIn(k));
    }
    assert.deepEqual(rowsOf(a.read(3)), rowsOf(again.read(3)));
    assert.equal(a.longest, Math.max(...data.ids.map((r) => r.length)));
  } finally {
    for (const b of [a, again, other]) b.close();
  }
  assert.deepEqual(readdirSync(dir), [], "close removes every bucket's file");
});

test("bucketsFor: about BUCKET_BYTES of ids per bucket, at least one", () => {
  const sample = Array.from({ length: 100 }, () => new Int32Array(98));
  assert.equal(bucketsFor(sample, 1000), 1);
  assert.equal(bucketsFor(sample, 7_000_000), Math.ceil((100 * 4 * 7_000_000) / BUCKET_BYTES));
  assert.equal(bucketsFor([], 10), 1);
});

test("removeDeadSpills: a dead process's token files go, a live one's stay", () => {
  const dir = tmp();
  const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  const host = os.hostname().replace(/[^A-Za-z0-9_.]/g, "_");
  const mine = new TokenRowFile(dir, "live");
  try {
    writeFileSync(path.join(dir, `ids-${host}-${dead.stdout}-run-train-bucket3.bin`), "left behind");
    assert.deepEqual(removeDeadSpills(dir), [`ids-${host}-${dead.stdout}-run-train-bucket3.bin`]);
    assert.deepEqual(readdirSync(dir), [path.basename(mine.file)]);
  } finally {
    mine.close();
  }
});

test("trainStatic on one bucket gives exactly the weights of the same rows in memory; on many it learns as well, repeats on one thread, and trains on two", async () => {
  const dir = tmp();
  const train = rows(6000, 3);
  const held = rows(900, 4);
  const init = initStaticParams(V, 16, 3, 7);
  const args = resolveTrainArgs({ num_train_epochs: 3, evaluation_strategy: "epoch" }, train.ids.length);
  const inMemory = await trainStatic({ trainIds: train.ids, trainLabels: train.labels, evalIds: held.ids, evalLabels: held.labels, init, args, threads: 1 });
  const spilled = (count: number) => {
    const b = new TokenBuckets(dir, `t${count}`, count, 11);
    train.ids.forEach((ids, i) => b.append(ids, train.labels[i]));
    b.flush();
    return b;
  };
  const one = spilled(1);
  const many = spilled(6);
  const testFile = new TokenRowFile(dir, "held", { ranges: true });
  held.ids.forEach((ids, i) => testFile.append(ids, held.labels[i]));
  try {
    const r1 = await trainStatic({ pieces: one, evalIds: testFile.reader(), evalLabels: held.labels, init, args, threads: 1 });
    assert.deepEqual(r1.params, inMemory.params, "one bucket: the same draws, the same weights");
    assert.deepEqual(r1.lossCurve, inMemory.lossCurve, "and the same evaluations, read back from the file");
    const logs: string[] = [];
    const r6 = await trainStatic({ pieces: many, evalIds: testFile.reader(), evalLabels: held.labels, init, args, threads: 1, hooks: { onLog: (m) => void logs.push(m) } });
    assert.equal(r6.steps, 3 * Array.from({ length: 6 }, (_, k) => Math.ceil(many.rowsIn(k) / args.batchSize)).reduce((a, b) => a + b));
    assert.match(logs[0], /6000 rows/);
    const accMemory = accuracy(inMemory.params, held.ids, held.labels);
    const accMany = accuracy(r6.params, held.ids, held.labels);
    assert.ok(accMemory > 0.9, `in memory: ${accMemory}`);
    assert.ok(accMany > accMemory - 0.03, `six buckets ${accMany} vs in memory ${accMemory}`);
    assert.deepEqual((await trainStatic({ pieces: many, init, args, threads: 1 })).params, r6.params, "one thread repeats exactly");
    const twoLogs: string[] = [];
    const two = await trainStatic({ pieces: many, init, args: { ...args, numTrainEpochs: 4 }, threads: 2, hooks: { onLog: (m) => void twoLogs.push(m) } });
    assert.match(twoLogs[0], /2 threads/);
    assert.ok(accuracy(two.params, held.ids, held.labels) > accMemory - 0.03, "two threads on buckets learn too");
    // evaluation from a file equals evaluation from memory
    assert.deepEqual(evaluateStatic(r6.params, testFile.reader(), held.labels, 64), evaluateStatic(r6.params, held.ids, held.labels, 64));
  } finally {
    one.close();
    many.close();
    testFile.close();
  }
});

test("trainStatic on buckets: a token id or label out of range in a bucket is refused, naming the piece; trainIds and pieces together are refused", async () => {
  const dir = tmp();
  const train = rows(500, 5);
  const init = initStaticParams(V, 16, 3, 7);
  const args = resolveTrainArgs({ num_train_epochs: 1 }, 500);
  const bad = new TokenBuckets(dir, "bad", 1, 1);
  train.ids.forEach((ids, i) => bad.append(ids, train.labels[i]));
  bad.append(Int32Array.of(1, V + 5), 0);
  const badLabel = new TokenBuckets(dir, "bad-label", 1, 1);
  badLabel.append(Int32Array.of(1, 2), 7);
  try {
    await assert.rejects(trainStatic({ pieces: bad, init, args }), /train \(piece 0\): token id 3005 is not in \[0, 3000\)/);
    await assert.rejects(trainStatic({ pieces: badLabel, init, args }), /train \(piece 0\): label 7 at row 0/);
    await assert.rejects(trainStatic({ pieces: inMemoryPieces(train.ids, train.labels), trainIds: train.ids, trainLabels: train.labels, init, args }), /trainIds and trainLabels, or as pieces/);
  } finally {
    bad.close();
    badLabel.close();
  }
});
