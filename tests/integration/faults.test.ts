import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { after, afterEach, before, test } from "node:test";
import { promoteVersion } from "../../lib/versions/promote";
import { requestCancel } from "../../lib/runs/queue";
import { createTestDatabase, tmpDir, type TestDatabase } from "../helpers/db";
import { createReviewTable } from "../helpers/fixtures";
import { exited, isStopped, waitFor, type Proc } from "../helpers/processes";
import { queueRun, runFinished, workerProcesses } from "../helpers/runs";
import { startTcpProxy } from "../helpers/tcp-proxy";

// The worker's own faults, with real worker processes: killed (SIGKILL) at every phase of a run
// and around the commit of its save, stopped (SIGSTOP) while saving until another worker reaps the
// run, cancels racing completion, and its database connection cut mid-run. Whatever happens, a
// failed or cancelled run leaves nothing behind: every model version is the candidate of a
// succeeded run, every stored artifact belongs to a version, and no staging folder outlives its
// worker. Kill points come from WORKER_FAILPOINT (lib/runs/failpoint.ts).

let t: TestDatabase;
let modelsDir: string;
let dataDir: string;
// TEXT_SPILL_ROWS 0: every run keeps its texts in a spill file (lib/runs/text-spill.ts), and
// TOKEN_SPILL_MB 0 its token ids from tokenising to the end of scoring (lib/kinds/starter/encoded-rows.ts;
// calibration off, as a big table would hold its slice out), which must not outlive it either.
const workers = workerProcesses(() => ({ DATABASE_URL: t.url, MODELS_DIR: modelsDir, DATA_DIR: dataDir, TEXT_SPILL_ROWS: "0", TOKEN_SPILL_MB: "0", STARTER_CALIBRATION: "off" }));
const worker = workers.start;
/** A worker that reaps runs whose heartbeat stopped 2 s ago. */
const reaper = () => worker({ RUN_STALE_SECONDS: "2" });
const queue = (body: Record<string, unknown>) => queueRun(t.db, body);
const finished = (id: string, timeoutMs?: number) => runFinished(t.db, id, timeoutMs);

const SMALL_RUN = { table: "demo_email", columns: "label,text", limit: 400, num_train_epochs: 2, seed: 3 };
const LONG_RUN = { table: "demo_email", columns: "label,text", num_train_epochs: 200 };
const inPhase = (id: string, phase: string) =>
  waitFor(`run ${id} to reach ${phase}`, async () => (await t.db.trainingRun.findUniqueOrThrow({ where: { id } })).phase === phase);
/** Waits for a resumed worker to say how the run ended for it: it must find the run no longer its own. */
async function resumedWorkerEnds(p: Proc, id: string): Promise<void> {
  const ending = new RegExp(`\\[run ${id}\\] (succeeded|no longer this worker's|failed|cancelled)`);
  const said = await waitFor("the resumed worker to end the run", async () => ending.exec(p.output())?.[1], 60_000);
  assert.equal(said, "no longer this worker's", p.output());
}
const versionsRoot = () => path.join(modelsDir, "versions");
const stagingFolders = () => (existsSync(versionsRoot()) ? readdirSync(versionsRoot()).filter((n) => n.startsWith(".staging-")) : []);
const spillFiles = () => (existsSync(path.join(dataDir, "spill")) ? readdirSync(path.join(dataDir, "spill")) : []);

/** Nothing outlives a run that did not succeed, in the database or on disk. */
async function assertNothingOutlivesFailure(): Promise<void> {
  const orphanVersions = await t.db.$queryRaw<{ id: string }[]>`
    SELECT v.id FROM "ModelVersion" v LEFT JOIN "TrainingRun" r ON r."candidateVersionId" = v.id
    WHERE r.id IS NULL OR r.status <> 'succeeded'`;
  assert.deepEqual(orphanVersions, [], "every model version is the candidate of a succeeded run");
  const strayArtifacts = await t.db.$queryRaw<{ hash: string }[]>`
    SELECT DISTINCT hash FROM "ArtifactFile" a WHERE NOT EXISTS (SELECT 1 FROM "ModelVersion" v WHERE v."artifactHash" = a.hash)`;
  assert.deepEqual(strayArtifacts, [], "every stored artifact belongs to a version");
  const strayTestRows = await t.db.$queryRaw<{ runId: string }[]>`
    SELECT DISTINCT t."runId" FROM "RunTestRow" t JOIN "TrainingRun" r ON r.id = t."runId" WHERE r.status <> 'succeeded'`;
  assert.deepEqual(strayTestRows, [], "only succeeded runs have test-row predictions");
  const rowRecords = await t.db.versionTrainedRows.count();
  assert.equal(rowRecords, await t.db.modelVersion.count(), "every version, and only a version, has its record of trained rows");
  const partial = await t.db.$queryRaw<{ versionId: string }[]>`
    SELECT r."versionId" FROM "VersionTrainedRows" r LEFT JOIN "VersionRowsPart" p ON p."versionId" = r."versionId"
    GROUP BY r."versionId", r.count, r."seenCount" HAVING coalesce(sum(octet_length(p.bytes)), 0) <> 8 * (r.count + r."seenCount")`;
  assert.deepEqual(partial, [], "every record of trained rows has all its parts");
  const hashes = new Set((await t.db.modelVersion.findMany({ select: { artifactHash: true } })).map((v) => v.artifactHash));
  const local = existsSync(versionsRoot()) ? readdirSync(versionsRoot()).filter((n) => !n.startsWith(".staging-")) : [];
  for (const name of local) assert.ok(hashes.has(name), `models/versions/${name} is the local copy of a version`);
}

before(async () => {
  t = await createTestDatabase();
  modelsDir = tmpDir("models");
  dataDir = tmpDir("data");
  await createReviewTable(t.db, "reviews", 120);
  // A serving version, so that "evaluating-old" evaluates something.
  const w = worker();
  const run = await finished(await queue(SMALL_RUN));
  await w.stop();
  assert.equal(run.status, "succeeded", `${run.error}\n${w.output()}`);
  assert.equal(await t.db.runLog.count({ where: { runId: run.id, message: { contains: "keys and texts kept in files" } } }), 1, "the run's keys and texts were in spill files");
  assert.deepEqual(spillFiles(), [], "a run that succeeded removed its spill file");
  await promoteVersion(t.db, { modelName: "default", versionId: run.candidateVersionId! });
});

afterEach(() => workers.killAll()); // a failed test leaves no reaper behind to disturb the next

after(async () => {
  await t?.drop();
});

const KILL_POINTS = ["phase:fetching", "phase:evaluating-old", "phase:tokenizing", "phase:training", "phase:evaluating-new", "phase:saving", "save:locked", "save:before-commit"];

for (const point of KILL_POINTS) {
  test(`a worker killed at ${point}: the run ends failed with the reason and leaves nothing behind`, async () => {
    const victim = worker({ WORKER_FAILPOINT: `${point}:kill` });
    const id = await queue(SMALL_RUN);
    await exited(victim);
    assert.equal(victim.child.signalCode, "SIGKILL", victim.output());
    assert.match(victim.output(), new RegExp(`failpoint ${point}: SIGKILL`));
    if (point !== "phase:fetching") assert.ok(stagingFolders().length > 0, "the killed worker left its staging folder");
    if (point !== "phase:fetching") assert.equal(spillFiles().filter((n) => n.startsWith("texts-")).length, 2, "the killed worker left its key and text spill files");
    const idFiles = spillFiles().filter((n) => n.startsWith("ids-")).length;
    if (point === "phase:training" || point === "phase:evaluating-new") assert.ok(idFiles >= 2, `the killed worker left its token-id files: ${spillFiles().join(", ")}`);
    else assert.equal(idFiles, 0, "no token ids yet, or no longer");

    const r = reaper();
    const run = await finished(id);
    await waitFor("the reaper to start", async () => /ready/.test(r.output()));
    await r.stop();
    assert.equal(run.status, "failed");
    assert.match(run.error ?? "", /stopped responding \(no heartbeat/);
    assert.equal(run.candidateVersionId, null);
    assert.deepEqual(stagingFolders(), [], "a starting worker removes the staging folders of dead workers");
    assert.deepEqual(spillFiles(), [], "a starting worker removes the spill files of dead workers");
    await assertNothingOutlivesFailure();
  });
}

test("a worker killed right after its save committed: the run succeeded with its version, and the next worker removes the staging folder", async () => {
  const victim = worker({ WORKER_FAILPOINT: "save:after-commit:kill" });
  const id = await queue(SMALL_RUN);
  await exited(victim);
  assert.match(victim.output(), /failpoint save:after-commit: SIGKILL/);
  const run = await t.db.trainingRun.findUniqueOrThrow({ where: { id } });
  assert.equal(run.status, "succeeded");
  assert.ok(run.candidateVersionId);
  assert.equal(stagingFolders().length, 1);
  const r = reaper();
  await waitFor("the worker to start", async () => /ready/.test(r.output()));
  await r.stop();
  assert.deepEqual(stagingFolders(), []);
  assert.equal((await t.db.trainingRun.findUniqueOrThrow({ where: { id } })).status, "succeeded", "the reaper cannot fail a committed run");
  await assertNothingOutlivesFailure();
});

test("a worker stopped (SIGSTOP) at saving until another worker reaps the run gains nothing when it resumes", async () => {
  const victim = worker({ WORKER_FAILPOINT: "phase:saving:pause" });
  const id = await queue(SMALL_RUN);
  await waitFor("the worker to stop at saving", async () => /failpoint phase:saving: SIGSTOP/.test(victim.output()) && isStopped(victim));
  const r = reaper();
  const run = await finished(id);
  assert.equal(run.status, "failed");
  victim.child.kill("SIGCONT");
  await resumedWorkerEnds(victim, id);
  await Promise.all([r.stop(), victim.stop()]);
  const after = await t.db.trainingRun.findUniqueOrThrow({ where: { id } });
  assert.equal(after.status, "failed");
  assert.match(after.error ?? "", /stopped responding/);
  assert.equal(after.candidateVersionId, null);
  await assertNothingOutlivesFailure();
});

test("a worker stopped inside its save transaction, before the commit: the reaper is not blocked, the run fails, the save never commits", async () => {
  // The victim's session is ended by the server after RUN_STALE_SECONDS idle in the transaction.
  const victim = worker({ WORKER_FAILPOINT: "save:before-commit:pause", RUN_STALE_SECONDS: "3" });
  const id = await queue(SMALL_RUN);
  await waitFor("the worker to stop before its commit", async () => /failpoint save:before-commit: SIGSTOP/.test(victim.output()) && isStopped(victim));
  const r = reaper();
  const run = await finished(id, 60_000);
  assert.equal(run.status, "failed");
  assert.match(run.error ?? "", /stopped responding/);
  victim.child.kill("SIGCONT");
  await resumedWorkerEnds(victim, id);
  await Promise.all([r.stop(), victim.stop()]);
  const after = await t.db.trainingRun.findUniqueOrThrow({ where: { id } });
  assert.equal(after.status, "failed");
  assert.equal(after.candidateVersionId, null);
  await assertNothingOutlivesFailure();
});

test("an accepted cancel wins over a run finishing: cancels sent at varied delays never leave a succeeded run", async (tc) => {
  const w = worker();
  const RUN = { table: "reviews", columns: "label,body", num_train_epochs: 1 };
  await waitFor("the worker to start", async () => /ready/.test(w.output()));
  // How long a run takes once the worker is warm (its first run also loads what it needs).
  let duration = 0;
  for (let i = 0; i < 2; i++) {
    const started = Date.now();
    const baseline = await finished(await queue(RUN));
    assert.equal(baseline.status, "succeeded", baseline.error ?? "");
    duration = Date.now() - started;
  }
  const outcomes: { delay: number; accepted: boolean; status: string; ran: boolean }[] = [];
  const N = 20;
  for (let i = 0; i < N; i++) {
    // up to 2.5 runs' time: a run may take longer than the baseline on a loaded machine (a parallel
    // test file), and the last cancels must still come after some runs have finished
    const delay = Math.round((i / (N - 1)) * duration * 2.5);
    const id = await queue(RUN);
    await new Promise((r) => setTimeout(r, delay));
    const accepted = await requestCancel(t.db, id); // the cancel route answers 202 exactly when this is true
    const run = await finished(id);
    outcomes.push({ delay, accepted, status: run.status, ran: run.workerId !== null });
    if (accepted) {
      assert.equal(run.status, "cancelled", `cancel accepted after ${delay} ms, yet the run ended ${run.status}`);
      assert.equal(run.candidateVersionId, null);
    } else {
      assert.equal(run.status, "succeeded", `cancel refused after ${delay} ms: the run had already finished`);
    }
  }
  await w.stop();
  const summary = JSON.stringify(outcomes);
  const count = (f: (o: (typeof outcomes)[number]) => boolean) => outcomes.filter(f).length;
  tc.diagnostic(`run ${duration} ms; cancels accepted while queued ${count((o) => o.accepted && !o.ran)}, while running ${count((o) => o.accepted && o.ran)}, refused (already succeeded) ${count((o) => !o.accepted)}`);
  assert.ok(outcomes.some((o) => o.accepted && o.ran), `some cancels reached running runs: ${summary}`);
  assert.ok(outcomes.some((o) => !o.accepted), `some runs finished before their cancel: ${summary}`);
  await assertNothingOutlivesFailure();
});

test("a worker whose database connection is cut mid-run waits, reconnects, fails that run with the reason, then completes a new one", async () => {
  const target = new URL(t.url);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
  try {
    const w = worker({ DATABASE_URL: proxy.rewrite(t.url) });
    const id = await queue(LONG_RUN);
    await inPhase(id, "training");
    const outage = async (noticed: RegExp) => {
      proxy.cut();
      await waitFor("the worker to notice the outage", async () => noticed.test(w.output()), 30_000);
      await new Promise((r) => setTimeout(r, 3000));
      assert.equal(w.child.exitCode, null, `the worker is still alive during the outage:\n${w.output()}`);
      proxy.restore();
    };
    await outage(new RegExp(`\\[run ${id}\\] the database does not answer`));
    const run = await finished(id, 60_000);
    assert.equal(run.status, "failed");
    assert.match(run.error ?? "", /lost its database connection/);
    assert.equal(run.candidateVersionId, null);
    // An outage while the worker waits for work is waited out as well.
    await outage(/worker \S+: the database does not answer/);
    await waitFor("the worker to see the database again", async () => /the database answers again/.test(w.output()), 30_000);
    const next = await finished(await queue(SMALL_RUN));
    assert.equal(next.status, "succeeded", `${next.error}\n${w.output()}`);
    assert.equal(next.workerId, run.workerId, "the same worker process ran the next run");
    assert.equal(w.child.exitCode, null);
    await w.stop();
    assert.deepEqual(stagingFolders(), []);
    await assertNothingOutlivesFailure();
  } finally {
    await proxy.close();
  }
});
