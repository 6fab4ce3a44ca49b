import assert from "node:assert/strict";
import { cpSync } from "node:fs";
import path from "node:path";
import { after, afterEach, before, test } from "node:test";
import { createTestDatabase, tmpDir, type TestDatabase } from "../helpers/db";
import { createReviewEncoderModel } from "../helpers/fixtures";
import { exited, isStopped, waitFor, type Proc } from "../helpers/processes";
import { queueRun, runFinished, workerProcesses } from "../helpers/runs";
import { writeSynthBert } from "../../scripts/lib/synth-bert";
import { buildTokenizer } from "../../lib/training/tokenizer-builder";
import type { RunStats } from "../../lib/runs/types";
import { getRunView } from "../../lib/runs/web/views";
import { requestCancel } from "../../lib/runs/queue";

// Encoding spread over workers, with real worker processes: an encoder run's uncached texts are cut
// into shards (ENCODE_SHARD_ROWS) that idle workers take; the owner continues when all are done.
// The owner is held (SIGSTOP at the "shards:created" failpoint) while the other worker starts on
// the shards, so which worker does what is decided by the test, not by a race.

const ROWS = 400;
const SHARD_ROWS = 40;
let t: TestDatabase;
let modelsDir: string;
let otherModelsDir: string;
const workers = workerProcesses(() => ({ DATABASE_URL: t.url, MODELS_DIR: modelsDir, ENCODE_SHARD_ROWS: String(SHARD_ROWS) }));

before(async () => {
  t = await createTestDatabase();
  modelsDir = tmpDir("models");
  await createReviewEncoderModel(t.db, modelsDir, { rows: ROWS, layers: 2, hidden: 32, heads: 4 });
  // Another machine's folder of the same name with other weights: it must not fill the cache.
  otherModelsDir = tmpDir("models-other");
  cpSync(path.join(modelsDir, "tiny-bert"), path.join(otherModelsDir, "tiny-bert"), { recursive: true });
  const texts = (await t.db.$queryRawUnsafe<{ body: string }[]>(`SELECT body FROM reviews`)).map((r) => r.body);
  const { vocab } = buildTokenizer(texts, { minCount: 1, lowercase: false });
  await writeSynthBert(path.join(otherModelsDir, "tiny-bert"), { layers: 2, hidden: 32, heads: 4, vocab, maxPosition: 64, quantized: false, seed: 4 });
});

afterEach(async () => {
  await workers.killAll();
  await t.db.featureCache.deleteMany();
});

after(async () => {
  await t?.drop();
});

const REQUEST = { model: "reviews-bert", table: "reviews", columns: "label,body", seed: 1, num_train_epochs: 20, learning_rate: 0.01 };

/** The owner, held right after it queued its shards (it reaps shards stale for `staleSeconds`). */
async function heldOwner(runId: Promise<string>, staleSeconds = 2): Promise<{ owner: Proc; id: string }> {
  const owner = workers.start({ WORKER_FAILPOINT: "shards:created:pause", RUN_STALE_SECONDS: String(staleSeconds) });
  const id = await runId;
  await waitFor("the owner to queue its shards and stop", async () => /failpoint shards:created: SIGSTOP/.test(owner.output()) && isStopped(owner));
  return { owner, id };
}

async function logsOf(id: string): Promise<string[]> {
  return (await t.db.runLog.findMany({ where: { runId: id }, orderBy: { seq: "asc" } })).map((l) => l.message);
}

test("two workers encode one run's shards; the owner continues when all are done and its stats say who encoded what", async () => {
  const { owner, id } = await heldOwner(queueRun(t.db, REQUEST), 30);
  assert.equal(await t.db.encodeShard.count({ where: { runId: id } }), ROWS / SHARD_ROWS);
  // The helper is held too, once it has claimed its first shard; then both go on at once.
  const helper = workers.start({ WORKER_FAILPOINT: "shard:claimed:pause", RUN_STALE_SECONDS: "60" });
  await waitFor("the helper to claim a shard and stop", async () => /failpoint shard:claimed: SIGSTOP/.test(helper.output()) && isStopped(helper));
  owner.child.kill("SIGCONT");
  helper.child.kill("SIGCONT");
  const run = await runFinished(t.db, id);
  assert.equal(run.status, "succeeded", `${run.error}\n${owner.output()}\n${helper.output()}`);

  const stats = run.stats as unknown as RunStats;
  const shards = stats.encodeShards!;
  assert.equal(shards.length, ROWS / SHARD_ROWS);
  assert.equal(shards.reduce((n, s) => n + s.rows, 0), ROWS);
  assert.equal(stats.encodedRows, ROWS);
  const ownerId = run.workerId!;
  const byWorker = new Set(shards.map((s) => s.workerId));
  assert.ok(byWorker.has(ownerId) && byWorker.size === 2, `both workers encoded shards: ${JSON.stringify(shards)}`);
  assert.ok(shards.every((s) => s.seconds > 0));
  assert.equal(await t.db.featureCache.count(), ROWS, "every shard's features are in the cache");
  assert.equal(await t.db.encodeShard.count(), 0, "the shards are removed once the run goes on");
  assert.ok((run.metricsNew as { accuracy: number }).accuracy >= 0.9, JSON.stringify(run.metricsNew));
  const logs = await logsOf(id);
  assert.ok(logs.some((m) => /in 10 shards of up to 40/.test(m)), logs.join("\n"));
  assert.equal(logs.filter((m) => /^Shard \d+ of 10: 40 texts encoded by/.test(m)).length, 10, logs.join("\n"));

  // The API gives the same list.
  const view = await getRunView(t.db, id);
  assert.deepEqual((view?.stats as RunStats | null)?.encodeShards, shards);
});

test("a worker killed (SIGKILL) holding a shard: the shard is reaped, encoded again, and the run succeeds", async () => {
  const { owner, id } = await heldOwner(queueRun(t.db, REQUEST));
  const victim = workers.start({ WORKER_FAILPOINT: "shard:claimed:kill", RUN_STALE_SECONDS: "60" });
  await exited(victim);
  assert.match(victim.output(), /failpoint shard:claimed: SIGKILL/);
  const held = await t.db.encodeShard.findFirstOrThrow({ where: { runId: id, status: "running" } });
  owner.child.kill("SIGCONT");
  const run = await runFinished(t.db, id);
  assert.equal(run.status, "succeeded", `${run.error}\n${owner.output()}`);
  const stats = run.stats as unknown as RunStats;
  assert.equal(stats.encodedRows, ROWS);
  assert.ok(stats.encodeShards!.every((s) => s.workerId === run.workerId), "the owner encoded every shard, the dead worker's again");
  assert.equal(await t.db.featureCache.count(), ROWS);
  const logs = await logsOf(id);
  assert.ok(logs.some((m) => m.startsWith(`Shard ${held.index + 1}: the worker encoding it stopped heartbeating`) && /queued again \(attempt 1 of 2\)/.test(m)), logs.join("\n"));
});

test("a shard that fails twice fails the run with the reason, and nothing of the other machine's encoder reaches the cache", async () => {
  const { owner, id } = await heldOwner(queueRun(t.db, REQUEST));
  const other = workers.start({ MODELS_DIR: otherModelsDir, RUN_STALE_SECONDS: "60" });
  await waitFor("the other machine to fail a shard twice", async () => (await t.db.encodeShard.count({ where: { runId: id, status: "failed" } })) > 0);
  assert.match(other.output(), /differs from the run's/);
  owner.child.kill("SIGCONT");
  const run = await runFinished(t.db, id);
  assert.equal(run.status, "failed");
  assert.match(run.error ?? "", /^Encoding failed: shard \d+ of 10 \(40 texts\) failed 2 times; last error: this worker's "tiny-bert" differs from the run's/);
  assert.equal(await t.db.encodeShard.count(), 0, "a failed run's shards are removed");
  assert.equal(await t.db.featureCache.count(), 0, "nothing encoded with the other machine's weights reached the cache");
});

test("a run cancelled while another worker holds one of its shards: the run is cancelled, its shards removed, the other worker goes on", async () => {
  const { owner, id } = await heldOwner(queueRun(t.db, REQUEST), 30);
  const helper = workers.start({ WORKER_FAILPOINT: "shard:claimed:pause", RUN_STALE_SECONDS: "60" });
  await waitFor("the helper to claim a shard and stop", async () => /failpoint shard:claimed: SIGSTOP/.test(helper.output()) && isStopped(helper));
  assert.equal(await requestCancel(t.db, id), true);
  owner.child.kill("SIGCONT");
  const run = await runFinished(t.db, id);
  assert.equal(run.status, "cancelled", `${run.error}\n${owner.output()}`);
  assert.equal(await t.db.encodeShard.count(), 0);
  helper.child.kill("SIGCONT");
  await waitFor("the helper to let go of the shard", async () => /shard \d+: (the shard was|encoded)/.test(helper.output()));
  assert.match(helper.output(), /shard \d+: the shard was (taken from this worker|no longer this worker's)/);
  // The helper is still a worker: with the owner gone, it takes the next run.
  await owner.stop();
  const next = await runFinished(t.db, await queueRun(t.db, { ...REQUEST, num_train_epochs: 1 }));
  assert.equal(next.status, "succeeded", `${next.error}\n${helper.output()}`);
  assert.notEqual(next.workerId, run.workerId);
});

test("fewer uncached texts than one shard: the owner encodes them itself, without shards", async () => {
  const owner = workers.start({ ENCODE_SHARD_ROWS: String(ROWS) });
  const run = await runFinished(t.db, await queueRun(t.db, REQUEST));
  assert.equal(run.status, "succeeded", `${run.error}\n${owner.output()}`);
  const stats = run.stats as unknown as RunStats;
  assert.equal(stats.encodedRows, ROWS);
  assert.equal(stats.encodeShards, undefined);
});
