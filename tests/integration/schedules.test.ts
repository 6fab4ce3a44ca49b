import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { createDb, type Db } from "../../lib/db/client";
import { reapStaleRuns, requestCancel } from "../../lib/runs/queue";
import { autoPromoteRun } from "../../lib/schedules/auto-promote";
import { createSchedule, getSchedule, patchSchedule } from "../../lib/schedules/store";
import { tickSchedules } from "../../lib/schedules/ticker";
import { promoteVersion } from "../../lib/versions/promote";
import { createWebhook, listWebhooks } from "../../lib/webhooks/store";
import { verifySignature } from "../../lib/webhooks/sign";
import { createTestDatabase, tmpDir, type TestDatabase } from "../helpers/db";
import { createReviewTable } from "../helpers/fixtures";
import { waitFor } from "../helpers/processes";
import { queueRun, runFinished, workerProcesses } from "../helpers/runs";

// Scheduled retraining and notifications against the embedded PostgreSQL with real worker
// processes: one run per tick however many tickers race, skipped ticks, the auto-promotion guard,
// and signed webhook deliveries retried after a failure, for every way a run ends and a promotion.

let t: TestDatabase;
let modelsDir: string;
const workers = workerProcesses(() => ({ DATABASE_URL: t.url, MODELS_DIR: modelsDir }));
const extraDbs: Db[] = [];

before(async () => {
  t = await createTestDatabase();
  modelsDir = tmpDir("models");
  await createReviewTable(t.db, "reviews", 120);
  await createReviewTable(t.db, "one_label", 20, ["pos"]);
});

after(async () => {
  await workers.killAll();
  await Promise.all(extraDbs.map((d) => d.$disconnect()));
  await t?.drop();
});

const REQUEST = { table: "reviews", columns: "label,body", limit: 120, num_train_epochs: 1, seed: 3 };
const RARELY = "0 0 1 1 *"; // once a year: ticks come only when a test moves nextRunAt into the past
const makeDue = (id: string) => t.db.schedule.update({ where: { id }, data: { nextRunAt: new Date(Date.now() - 1000) } });
const logsOf = async (runId: string) => (await t.db.runLog.findMany({ where: { runId }, orderBy: { seq: "asc" } })).map((l) => l.message);

test("racing tickers (four connections at once) queue exactly one run per tick", async () => {
  const tickers = Array.from({ length: 4 }, () => createDb(t.url, 2));
  extraDbs.push(...tickers);
  const s = await createSchedule(t.db, { model: "default", cron: RARELY, request: REQUEST }, null);
  for (let tick = 1; tick <= 5; tick++) {
    await makeDue(s.id);
    const outcomes = (await Promise.all(tickers.map((db) => tickSchedules(db)))).flat().filter((o) => o.scheduleId === s.id);
    const queued = outcomes.filter((o) => o.outcome === "queued");
    assert.equal(queued.length, 1, `tick ${tick}: ${JSON.stringify(outcomes)}`);
    const runs = await t.db.trainingRun.findMany({ where: { scheduleId: s.id } });
    assert.equal(runs.length, tick);
    // the claim moved the schedule to its next tick, a year ahead
    assert.ok((await t.db.schedule.findUniqueOrThrow({ where: { id: s.id } })).nextRunAt! > new Date(Date.now() + 86_400_000));
    assert.equal(await requestCancel(t.db, queued[0]!.outcome === "queued" ? queued[0]!.runId : ""), true); // not still going at the next tick
  }
  const runs = await t.db.trainingRun.findMany({ where: { scheduleId: s.id } });
  assert.ok(runs.every((r) => r.trigger === "schedule"));
  await patchSchedule(t.db, s.id, { enabled: false });
});

test("a tick is skipped, and the skip recorded, while the schedule's previous run is still running", async () => {
  const s = await createSchedule(t.db, { model: "default", cron: RARELY, request: REQUEST }, null);
  await makeDue(s.id);
  const [first] = await tickSchedules(t.db);
  assert.equal(first?.outcome, "queued");
  const runId = first!.outcome === "queued" ? first!.runId : "";
  await t.db.trainingRun.update({ where: { id: runId }, data: { status: "running", phase: "training", workerId: "elsewhere", heartbeatAt: new Date() } });
  await makeDue(s.id);
  const [second] = await tickSchedules(t.db);
  assert.equal(second?.outcome, "skipped");
  assert.equal(await t.db.trainingRun.count({ where: { scheduleId: s.id } }), 1, "no second run");
  const view = await getSchedule(t.db, s.id);
  assert.ok(view.lastSkippedAt);
  assert.equal(view.lastSkipReason, `the previous run ${runId} is still running`);
  assert.equal(view.lastRun?.id, runId);
  assert.ok(view.nextRunAt && new Date(view.nextRunAt) > new Date(), "the skipped tick is consumed");
  await t.db.trainingRun.update({ where: { id: runId }, data: { status: "failed", phase: "failed", finishedAt: new Date() } });
  await patchSchedule(t.db, s.id, { enabled: false });
});

test("two worker processes tick a seconds cron: each tick queues at most one run, and the runs train", async () => {
  const env = { SCHEDULE_TICK_MS: "50" };
  const [w1, w2] = [workers.start(env), workers.start(env)];
  await waitFor("both workers", async () => /ready/.test(w1.output()) && /ready/.test(w2.output()), 60_000);
  const s = await createSchedule(t.db, { model: "default", cron: "*/2 * * * * *", request: REQUEST, autoPromote: { metric: "accuracy", minDelta: 0, minTestRows: 1 } }, null);
  await new Promise((r) => setTimeout(r, 9_000));
  await patchSchedule(t.db, s.id, { enabled: false });
  const runs = await t.db.trainingRun.findMany({ where: { scheduleId: s.id }, orderBy: { createdAt: "asc" } });
  assert.ok(runs.length >= 2, `${runs.length} runs in 9 s of a 2 s cron`);
  const ticks = runs.map((r) => Math.floor(r.createdAt.getTime() / 2000));
  assert.equal(new Set(ticks).size, ticks.length, `two runs in one tick: ${runs.map((r) => r.createdAt.toISOString())}`);
  const logged = [...`${w1.output()}\n${w2.output()}`.matchAll(/schedule \S+: queued run (\S+)/g)].map((m) => m[1]);
  assert.deepEqual([...logged].sort(), runs.map((r) => r.id).sort(), "each run was queued by exactly one worker");
  for (const r of runs) {
    const done = await runFinished(t.db, r.id);
    assert.equal(done.status, "succeeded", `${done.error}`);
    assert.equal(done.trigger, "schedule");
  }
  // Nothing served when the first run started: no comparison, so no auto-promotion.
  assert.ok((await logsOf(runs[0]!.id)).some((m) => /^Not auto-promoted: the run was not compared with a serving version/.test(m)), (await logsOf(runs[0]!.id)).join("\n"));
  assert.equal(await t.db.promotion.count({ where: { scheduleId: s.id } }), 0);
  await Promise.all([w1.stop(), w2.stop()]);
});

test("auto-promotion is refused in each guarded case and accepted in one; the history names the schedule", async () => {
  const model = await t.db.model.findUniqueOrThrow({ where: { name: "default" } });
  const rule = { metric: "accuracy" as const, minDelta: 0.005, minTestRows: 50 };
  const s = await createSchedule(t.db, { model: "default", cron: RARELY, request: REQUEST, autoPromote: rule, enabled: false }, null);
  const fair = {
    comparison: { comparable: true, reason: null, labelChange: null },
    split: { kind: "stable", key: "id", rows: "all", trainRows: 400, testRows: 100, testRowsSeenByOld: 0, scoredRows: 100, newRows: 0 },
    metricsOld: { accuracy: 0.9 },
    metricsNew: { accuracy: 0.92 },
  };
  async function scheduledRun(over: Record<string, unknown>, startedAt = new Date()) {
    const version = await t.db.modelVersion.create({ data: { modelId: model.id, artifactHash: "not-used", labels: ["neg", "pos"], metrics: { accuracy: 0.92 } } });
    const run = await t.db.trainingRun.create({
      data: {
        modelId: model.id, request: REQUEST, status: "succeeded", phase: "done", trigger: "schedule", scheduleId: s.id,
        candidateVersionId: version.id, startedAt, finishedAt: new Date(), ...fair, ...over,
      },
    });
    return { runId: run.id, versionId: version.id };
  }
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["not comparable", { comparison: { comparable: false, reason: "the labels changed", labelChange: { added: ["x"], removed: ["pos"] } } }, /not comparable/],
    ["seen rows", { split: { ...fair.split, testRowsSeenByOld: 3 } }, /^Not auto-promoted: 3 test rows were seen by the serving version$/],
    ["too few test rows", { split: { ...fair.split, scoredRows: 49 } }, /only 49 test rows were scored, fewer than 50/],
    ["delta too small", { metricsNew: { accuracy: 0.904 } }, /^Not auto-promoted: accuracy \+0\.4 pp < 0\.5 pp$/],
    ["no old metrics", { metricsOld: undefined }, /no old metrics/],
  ];
  const servingBefore = model.servingVersionId;
  for (const [name, over, reason] of cases) {
    const { runId } = await scheduledRun(over);
    const d = await autoPromoteRun(t.db, runId);
    assert.equal(d?.promote, false, name);
    assert.ok((await logsOf(runId)).some((m) => reason.test(m)), `${name}: ${(await logsOf(runId)).join(" | ")}`);
  }
  assert.equal((await t.db.model.findUniqueOrThrow({ where: { id: model.id } })).servingVersionId, servingBefore, "nothing was promoted");
  assert.equal(await t.db.promotion.count({ where: { scheduleId: s.id } }), 0);

  const ok = await scheduledRun({});
  assert.deepEqual(await autoPromoteRun(t.db, ok.runId), { promote: true, reason: "accuracy +2.0 pp ≥ 0.5 pp" });
  assert.equal((await t.db.model.findUniqueOrThrow({ where: { id: model.id } })).servingVersionId, ok.versionId);
  const promotion = await t.db.promotion.findFirstOrThrow({ where: { versionId: ok.versionId } });
  assert.equal(promotion.scheduleId, s.id);
  assert.equal(promotion.userId, null);
  assert.ok((await logsOf(ok.runId)).includes("Auto-promoted: accuracy +2.0 pp ≥ 0.5 pp"));

  // A run that started before someone else's promotion was compared with the wrong version.
  const stale = await scheduledRun({}, new Date(Date.now() - 60_000));
  assert.equal((await autoPromoteRun(t.db, stale.runId))?.promote, false);
  assert.ok((await logsOf(stale.runId)).some((m) => /^Not auto-promoted: another version was promoted after the run started/.test(m)));
  assert.equal((await t.db.model.findUniqueOrThrow({ where: { id: model.id } })).servingVersionId, ok.versionId);

  // Runs not queued by a schedule with a rule are left alone.
  const manual = await t.db.trainingRun.create({ data: { modelId: model.id, request: REQUEST, status: "succeeded", trigger: "manual" } });
  assert.equal(await autoPromoteRun(t.db, manual.id), null);
});

test("webhooks: run.finished and version.promoted are posted signed, retried after a 500, and listed with attempts", async () => {
  const received: { headers: IncomingMessage["headers"]; body: Buffer }[] = [];
  let failuresLeft = 1;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      if (failuresLeft-- > 0) {
        res.writeHead(500).end("receiver down");
      } else {
        res.writeHead(204).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const secret = "a-webhook-secret-of-some-length";
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const hook = await createWebhook(t.db, { url, events: ["run.finished", "version.promoted"], secret }, null);
    const w = workers.start({ WEBHOOK_POLL_MS: "100", WEBHOOK_RETRY_BASE_MS: "300", WEBHOOK_TIMEOUT_MS: "3000", SCHEDULE_TICK_MS: "60000" });

    const runId = await queueRun(t.db, { ...REQUEST, limit: 20 });
    await requestCancel(t.db, runId); // a queued run ends at once: run.finished "cancelled"
    await waitFor("the retried delivery", async () => received.length >= 2, 30_000, 50);
    assert.equal(received[0]!.body.toString(), received[1]!.body.toString(), "the retry posts the same bytes");
    for (const r of received.slice(0, 2)) {
      assert.equal(r.headers["content-type"], "application/json");
      assert.ok(verifySignature(secret, r.body, r.headers["x-signature-256"] as string), "signature of the exact body");
      assert.ok(!verifySignature("another-secret-entirely", r.body, r.headers["x-signature-256"] as string));
    }
    const event = JSON.parse(received[0]!.body.toString());
    assert.equal(event.event, "run.finished");
    assert.match(event.createdAt, /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual({ runId: event.data.runId, status: event.data.status, model: event.data.model, trigger: event.data.trigger }, { runId, status: "cancelled", model: "default", trigger: "manual" });

    const listed = await waitFor("delivered", async () => {
      const [h] = (await listWebhooks(t.db)).filter((x) => x.id === hook.id);
      return h?.deliveries[0]?.status === "delivered" ? h : null;
    }, 10_000);
    assert.equal(listed.deliveries[0]!.attempts, 2);
    assert.equal(listed.deliveries[0]!.lastStatus, 204);
    assert.equal("secret" in listed, false, "the secret is never listed");

    // A promotion by hand: version.promoted, delivered once.
    const version = await t.db.modelVersion.findFirstOrThrow({ where: { model: { name: "default" } }, orderBy: { createdAt: "asc" } });
    await promoteVersion(t.db, { modelName: "default", versionId: version.id });
    await waitFor("version.promoted", async () => received.length >= 3, 30_000, 50);
    const promoted = JSON.parse(received[2]!.body.toString());
    assert.equal(promoted.event, "version.promoted");
    assert.equal(promoted.data.versionId, version.id);
    assert.equal(promoted.data.scheduleId, null);
    assert.ok(verifySignature(secret, received[2]!.body, received[2]!.headers["x-signature-256"] as string));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(received.length, 3, "each delivery is posted once it succeeded");

    // run.finished for every other end: a run that succeeds, one that fails in the worker, one reaped.
    const succeeded = await queueRun(t.db, { ...REQUEST, limit: 60 });
    const failed = await queueRun(t.db, { table: "one_label", columns: "label,body", num_train_epochs: 1 });
    await Promise.all([runFinished(t.db, succeeded), runFinished(t.db, failed)]);
    const model = await t.db.model.findUniqueOrThrow({ where: { name: "default" } });
    const stale = await t.db.trainingRun.create({
      data: { modelId: model.id, request: REQUEST, status: "running", phase: "training", workerId: "gone", startedAt: new Date(), heartbeatAt: new Date(Date.now() - 3_600_000) },
    });
    assert.deepEqual(await reapStaleRuns(t.db, 60), [stale.id]);
    const ends = await waitFor("three more run.finished", async () => {
      const events = received.slice(3).map((r) => JSON.parse(r.body.toString()));
      return events.length >= 3 ? events : null;
    }, 60_000, 100);
    assert.deepEqual(
      Object.fromEntries(ends.map((e: any) => [e.data.runId, [e.event, e.data.status]])),
      { [succeeded]: ["run.finished", "succeeded"], [failed]: ["run.finished", "failed"], [stale.id]: ["run.finished", "failed"] },
    );
    const ok = ends.find((e: any) => e.data.runId === succeeded);
    assert.equal(typeof ok.data.accuracyNew, "number");
    assert.ok(ok.data.candidateVersionId);
    await w.stop();
  } finally {
    server.close();
  }
});
