import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createDb, type Db } from "../../lib/db/client";
import { enqueueRun } from "../../lib/runs/web/enqueue";
import { startDebianPostgres, type DebianPostgres } from "../helpers/debian-postgres";
import { createReviewTable } from "../helpers/fixtures";
import { newPlace, npm, npmStart, type NpmProcess, type Place } from "../helpers/npm-start";
import { waitFor } from "../helpers/processes";
import { login } from "../helpers/http";

// The product on an external PostgreSQL: Debian's server (.ci/run installs `postgresql`), reached
// only through DATABASE_URL, as an operator would run it. `npm start` (web process and one
// supervised worker) plus extra `npm run worker` processes; twenty queued runs with one, two and
// four workers all finish, none twice, none lost; the supervised worker killed with SIGKILL
// mid-run is restarted and its run failed with the reason; a second web process on the same
// database accepts the first one's session and streams a run's live log exactly as it does. The
// wall times are printed.

const RUNS = 20;
const STALE_SECONDS = 5;
let server: DebianPostgres | null = null;
let place: Place;
let app: NpmProcess & { url: string };
let db: Db;
let url: string;
const extras: NpmProcess[] = [];
let second: { place: Place; app: NpmProcess & { url: string } } | null = null;
const ADMIN = { email: "ops@example.com", password: "ops-password-123" };

before(async () => {
  server = await startDebianPostgres();
  if (!server) return;
  await server.createDatabase("ftd");
  url = server.urlFor("ftd");
  place = await newPlace();
  app = await npmStart(place, { DATABASE_URL: url, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, RUN_STALE_SECONDS: String(STALE_SECONDS), WORKER_HEARTBEAT_MS: "500", WORKER_POLL_MS: "200" });
  db = createDb(url, 4);
  await createReviewTable(db, "reviews", 200);
});

after(async () => {
  if (second) {
    stopGroup(second.app);
    await second.app.exited;
    second.place.remove();
  }
  for (const p of extras) stopGroup(p);
  if (app) {
    stopGroup(app);
    await app.exited;
  }
  await db?.$disconnect();
  server?.stop();
  place?.remove();
});

function stopGroup(p: NpmProcess): void {
  try {
    process.kill(-p.child.pid!, "SIGTERM");
  } catch {
    /* already gone */
  }
}

const skipWithout = (t: { skip(m: string): void }) => {
  if (!server) t.skip("Debian's postgresql is not installed (apt-get install -y postgresql; .ci/run installs it)");
  return !server;
};

const FINISHED = ["succeeded", "failed", "cancelled"];
const aliveWorkers = async () => db.worker.findMany({ where: { heartbeatAt: { gte: new Date(Date.now() - 3000) } } });

test("Debian's PostgreSQL: twenty queued runs with one, two and four workers all finish, each claimed exactly once", { timeout: 900_000 }, async (t) => {
  if (skipWithout(t)) return;
  const wall: Record<number, number> = {};
  for (const workers of [1, 2, 4]) {
    const started: NpmProcess[] = [];
    for (let i = 1; i < workers; i++) {
      const w = npm(["run", "worker"], { ...place.env, DATABASE_URL: url, WORKER_HEARTBEAT_MS: "500", WORKER_POLL_MS: "200" });
      extras.push(w);
      started.push(w);
    }
    for (const w of started) await w.waitForLine(/^worker \S+ ready/m, 120_000);
    await waitFor(`${workers} live workers`, async () => (await aliveWorkers()).length >= workers, 60_000);
    const t0 = performance.now();
    const ids: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await enqueueRun(db, { table: "reviews", columns: "label,body", num_train_epochs: 1, seed: i }, null);
      assert.ok(r.ok, JSON.stringify(r));
      ids.push(r.id);
    }
    const runs = await waitFor(`${RUNS} runs on ${workers} workers`, async () => {
      const rs = await db.trainingRun.findMany({ where: { id: { in: ids } } });
      return rs.every((r) => FINISHED.includes(r.status)) ? rs : null;
    }, 600_000, 250);
    wall[workers] = (performance.now() - t0) / 1000;
    for (const r of runs) assert.equal(r.status, "succeeded", r.error ?? "");
    const claims = await db.runLog.groupBy({ by: ["runId"], where: { runId: { in: ids }, message: { startsWith: "Claimed by worker" } }, _count: true });
    assert.equal(claims.length, RUNS, "every run was claimed");
    for (const c of claims) assert.equal(c._count, 1, `run ${c.runId} claimed ${c._count} times`);
    const used = new Set(runs.map((r) => r.workerId));
    if (workers > 1) assert.ok(used.size >= 2, `${workers} workers, but only ${used.size} took runs`);
    for (const w of started) stopGroup(w);
    await Promise.all(started.map((w) => w.exited));
  }
  console.log(`[external postgres] ${server!.version}: ${RUNS} runs (200 rows, 1 epoch each), wall time queue → all finished: ` + Object.entries(wall).map(([n, s]) => `${n} worker${n === "1" ? "" : "s"} ${s.toFixed(1)} s`).join(", "));
});

test("Debian's PostgreSQL: the worker killed with SIGKILL mid-run is restarted, and its run is failed with the reason", { timeout: 300_000 }, async (t) => {
  if (skipWithout(t)) return;
  const r = await enqueueRun(db, { table: "demo_email", columns: "label,text", num_train_epochs: 200 }, null);
  assert.ok(r.ok, JSON.stringify(r));
  const running = await waitFor("the run to train", async () => {
    const run = await db.trainingRun.findUniqueOrThrow({ where: { id: r.id } });
    return run.phase === "training" ? run : null;
  }, 120_000);
  const victim = await db.worker.findUniqueOrThrow({ where: { id: running.workerId! } });
  const from = app.output().length;
  process.kill(victim.pid, "SIGKILL");
  await app.waitForLine(new RegExp(`\\[start\\] The worker \\(pid ${victim.pid}\\) exited \\(SIGKILL\\); restarting it`), 60_000, from);
  const ended = await waitFor("the run to be failed", async () => {
    const run = await db.trainingRun.findUniqueOrThrow({ where: { id: r.id } });
    return FINISHED.includes(run.status) ? run : null;
  }, 120_000);
  assert.equal(ended.status, "failed");
  assert.match(ended.error ?? "", new RegExp(`stopped responding \\(no heartbeat for over ${STALE_SECONDS} s\\)`));
  assert.equal(ended.candidateVersionId, null);
  await waitFor("a new worker's heartbeat", async () => (await aliveWorkers()).some((w) => w.id !== victim.id), 60_000);
});

/** The `log` events of a run's event stream, until its `end` event. */
async function logEvents(base: string, cookie: string, id: string): Promise<{ seq: string; message: string }[]> {
  const res = await fetch(`${base}/api/runs/${id}/events`, { headers: { cookie, accept: "text/event-stream" } });
  assert.equal(res.status, 200, `${base}: ${res.status}`);
  const text = await res.text();
  const out: { seq: string; message: string }[] = [];
  for (const block of text.split("\n\n")) {
    const id = block.match(/^id: (\d+)$/m)?.[1];
    const event = block.match(/^event: (\S+)$/m)?.[1];
    const data = block.match(/^data: (.*)$/m)?.[1];
    if (event === "log" && id && data) out.push({ seq: id, message: (JSON.parse(data) as { message: string }).message });
  }
  assert.match(text, /event: end/, `${base}: the stream ended with its end event`);
  return out;
}

test("Debian's PostgreSQL: a second web process serves the first one's session, and a run's live log streams identically from both", { timeout: 300_000 }, async (t) => {
  if (skipWithout(t)) return;
  // A second `npm start` on the same DATABASE_URL (as on a second machine): the database is
  // already prepared; its web process gets the session key kept there.
  const place2 = await newPlace();
  second = { place: place2, app: await npmStart(place2, { DATABASE_URL: url }) };
  const webB = second.app.url;
  const signedIn = (await login(app.url, ADMIN.email, ADMIN.password)) as Awaited<ReturnType<typeof login>> & { jar: { header(): string } };
  const cookie = signedIn.jar.header();
  const me = await fetch(`${webB}/api/me`, { headers: { cookie } });
  assert.equal(me.status, 200, "the session made by web A is valid on web B");
  assert.equal(((await me.json()) as { email: string }).email, ADMIN.email);

  const r = await enqueueRun(db, { table: "reviews", columns: "label,body", num_train_epochs: 3 }, null);
  assert.ok(r.ok, JSON.stringify(r));
  const [a, b] = await Promise.all([logEvents(app.url, cookie, r.id), logEvents(webB, cookie, r.id)]);
  assert.ok(a.length >= 5, `${a.length} log lines`);
  assert.deepEqual(b, a);
  const run = await db.trainingRun.findUniqueOrThrow({ where: { id: r.id } });
  assert.equal(run.status, "succeeded", run.error ?? "");
  assert.equal(a.length, await db.runLog.count({ where: { runId: r.id } }), "every line of the run, once");
});
