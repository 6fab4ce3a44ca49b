// `npm run bench -- --only queue`: the product's hand-written run queue next to pg-boss 10 and
// graphile-worker 0.16 (the newest majors that run on node 20), all three on one fresh database of
// the bench's embedded PostgreSQL, their parts interleaved so that machine noise hits all alike.
//
// hand-written = the product's own functions on the real "TrainingRun" table: insertQueuedRun (the
// INSERT) + notifyRunQueued (NOTIFY run_queued) to queue, claimNextRun (UPDATE … WHERE id = (SELECT …
// FOR UPDATE SKIP LOCKED LIMIT 1)) to claim, listenForQueuedRuns (the worker's LISTEN connection)
// plus a poll every WORKER_POLL_MS to wake, and reapStaleRuns before each claim, as the worker loop
// (lib/runs/worker/loop.ts) does. Its loop is re-written here only because the real one trains the
// run it claims; "complete" is one UPDATE to succeeded (the product's save transaction does more).
//
// 1. throughput: N jobs queued first, then 4 consumers start (hand-written: 4 loops, each its own
//    Prisma client of one connection; pg-boss: 4 work() workers; graphile-worker: concurrency 4);
//    the handler does nothing; jobs/s from the consumers' start to the last completion in the
//    database; every job's handler runs are counted (exactly once each).
// 2. wake latency: one idle consumer per engine; 50 jobs, one at a time (each after the previous
//    ran, then 20 ms), the three engines taking turns; from the enqueue call's return (the insert
//    committed) to the handler's start.
// 3. footprint: tables and functions each adds (pg_catalog, after its migrations), its node_modules
//    (its package and the packages only it brings, from package-lock.json), startup (schema + start).
// 4. enqueue inside the product's own Prisma transaction: committed → the job exists; rolled back →
//    it does not (graphile-worker: SELECT graphile_worker.add_job(…) on the transaction; pg-boss:
//    send(…, { db }) with a db adapter over the transaction).
import { readFile, readdir, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import PgBoss from "pg-boss";
import { Logger, run as runGraphile, type Runner } from "graphile-worker";
import { createDb, type Db } from "../../lib/db/client";
import type { Prisma } from "../../lib/db/generated/client";
import type { startEmbeddedPostgres } from "../../lib/db/embedded";
import { migrate } from "../../lib/db/migrate";
import { env } from "../../lib/env";
import { claimNextRun, notifyRunQueued, reapStaleRuns } from "../../lib/runs/queue";
import { insertQueuedRun, type CheckedRun } from "../../lib/runs/web/enqueue";
import { listenForQueuedRuns } from "../../lib/runs/worker/wake-listener";

type Pg = Awaited<ReturnType<typeof startEmbeddedPostgres>>;

const THROUGHPUT_JOBS = 2000;
const THROUGHPUT_ROUNDS = 2;
const CONSUMERS = 4;
/** pg-boss with batchSize 1 takes one job per worker per polling interval: measured on fewer jobs */
const BOSS_SINGLE_JOBS = 100;
/** pg-boss's batched configuration: each of the 4 workers fetches up to this many jobs per poll */
const BOSS_BATCH = 50;
const LATENCY_JOBS = 50;
const LATENCY_GAP_MS = 20;
/** pg-boss's latency at its default polling interval, on fewer jobs (each waits ~1 s on average) */
const BOSS_DEFAULT_POLL_JOBS = 10;
const BOSS_MIN_POLL_S = 0.5; // pg-boss src/attorney.js POLICY.MIN_POLLING_INTERVAL_MS
const BOSS_DEFAULT_POLL_S = 2; // pg-boss src/attorney.js: `defaults?.pollingInterval || 2000`

const now = () => performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const loadAvg = () => os.loadavg().map((x) => x.toFixed(2)).join(" ");
const silentGraphileLogger = new Logger(() => () => {});

async function until(what: string, ok: () => boolean | Promise<boolean>, ms: number, everyMs = 5): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Handler runs per job id: exactly once means every id once and nothing else. */
class RunCounter {
  runs = new Map<string, number>();
  total = 0;
  hit(id: string) {
    this.runs.set(id, (this.runs.get(id) ?? 0) + 1);
    this.total++;
  }
  check(expected: number) {
    const dup = [...this.runs.values()].filter((n) => n > 1).length;
    return { distinct: this.runs.size, runs: this.total, duplicated: dup, exactlyOnce: this.runs.size === expected && this.total === expected && dup === 0 };
  }
}

// ---------- footprint helpers ----------

async function schemaObjects(db: Db, schema: string): Promise<{ tables: number; functions: number; indexes: number }> {
  const rows = await db.$queryRawUnsafe<{ tables: bigint; functions: bigint; indexes: bigint }[]>(
    `SELECT (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind IN ('r','p')) AS tables,
            (SELECT count(*) FROM pg_proc p WHERE p.pronamespace = n.oid) AS functions,
            (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind = 'i') AS indexes
       FROM pg_namespace n WHERE n.nspname = $1`,
    schema,
  );
  const r = rows[0];
  return r ? { tables: Number(r.tables), functions: Number(r.functions), indexes: Number(r.indexes) } : { tables: 0, functions: 0, indexes: 0 };
}

async function dirBytes(dir: string, skipNodeModules = true): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (skipNodeModules && e.name === "node_modules") continue; // nested packages are counted as their own entries
      total += await dirBytes(p, skipNodeModules);
    } else if (e.isFile()) total += (await stat(p)).size;
  }
  return total;
}

/**
 * The packages a root package brings that nothing else in the tree needs (package-lock.json's
 * graph: everything reachable from `pkg` minus everything reachable from the project's other
 * dependencies), and their bytes on disk (`du`-like, apparent sizes).
 */
async function ownFootprint(root: string, pkg: string): Promise<{ packages: string[]; bytes: number }> {
  const lock = JSON.parse(await readFile(path.join(root, "package-lock.json"), "utf8")) as {
    packages: Record<string, { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; peerDependencies?: Record<string, string>; devDependencies?: Record<string, string> }>;
  };
  const pkgs = lock.packages;
  const resolve = (from: string, name: string): string | null => {
    let base = from;
    for (;;) {
      const candidate = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
      if (pkgs[candidate]) return candidate;
      if (!base) return null;
      const i = base.lastIndexOf("/node_modules/");
      base = i >= 0 ? base.slice(0, i) : "";
    }
  };
  const closure = (starts: string[]) => {
    const seen = new Set<string>();
    const stack = [...starts];
    while (stack.length) {
      const p = stack.pop()!;
      if (seen.has(p)) continue;
      seen.add(p);
      const e = pkgs[p];
      for (const name of Object.keys({ ...e?.dependencies, ...e?.optionalDependencies, ...e?.peerDependencies })) {
        const r = resolve(p, name);
        if (r) stack.push(r);
      }
    }
    return seen;
  };
  const rootEntry = pkgs[""];
  const others = Object.keys({ ...rootEntry.dependencies, ...rootEntry.devDependencies })
    .filter((n) => n !== pkg)
    .map((n) => `node_modules/${n}`);
  const shared = closure(others);
  const own = [...closure([`node_modules/${pkg}`])].filter((p) => !shared.has(p));
  let bytes = 0;
  for (const p of own) bytes += await dirBytes(path.join(root, p));
  return { packages: own.map((p) => p.replace(/^.*node_modules\//, "")), bytes };
}

// ---------- the hand-written queue (the product's functions) ----------

interface HandConsumer {
  stop(): Promise<void>;
}

/**
 * One consumer as the worker loop runs: reap, claim, run the handler, complete; when the queue is
 * empty, sleep until NOTIFY run_queued (listenForQueuedRuns) or the poll interval.
 */
function startHandConsumer(o: { db: Db; url: string; workerId: string; pollMs: number; staleSeconds: number; listen: boolean; onJob: (id: string) => void; onEmpty?: () => void }): HandConsumer {
  let stopping = false;
  let wake: (() => void) | null = null;
  const listener = o.listen ? listenForQueuedRuns(o.url, () => wake?.(), { retryMs: o.pollMs, log: () => {} }) : null;
  const done = (async () => {
    while (!stopping) {
      await reapStaleRuns(o.db, o.staleSeconds);
      const id = await claimNextRun(o.db, o.workerId);
      if (id) {
        o.onJob(id);
        await o.db.$executeRaw`UPDATE "TrainingRun" SET status = 'succeeded', phase = 'succeeded', "finishedAt" = now() WHERE id = ${id} AND "workerId" = ${o.workerId}`;
        continue;
      }
      o.onEmpty?.();
      if (stopping) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, o.pollMs);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = null;
    }
  })();
  return {
    async stop() {
      stopping = true;
      wake?.();
      await done;
      await listener?.close();
    },
  };
}

// ---------- the bench ----------

interface Throughput {
  jobs: number;
  consumers: string;
  seconds: number;
  jobsPerS: number;
  exactlyOnce: boolean;
  distinct: number;
  runs: number;
  duplicated: number;
  completedInDb: number;
}

export async function runQueueBench(o: { root: string; pg: Pg; say: (line: string) => void }): Promise<Record<string, unknown>> {
  const loadStart = loadAvg();
  const e = env();
  await o.pg.ensureDatabase("queue");
  const url = o.pg.urlFor("queue");
  const say = o.say;

  // ----- startup and schema footprint -----
  let t = now();
  await migrate(url);
  const productMigrateMs = now() - t;
  const db = createDb(url, 4); // the "web" side: enqueues and checks
  const before = { pgboss: await schemaObjects(db, "pgboss"), graphile_worker: await schemaObjects(db, "graphile_worker") };

  const model = await db.model.create({ data: { name: "bench-queue" } });
  const checked: CheckedRun = { modelId: model.id, request: { bench: "queue" }, parsedRequest: { bench: "queue" } };

  // hand-written start: its table is the product's TrainingRun (migrated above with everything else);
  // starting is opening the LISTEN connection and a first reap + claim.
  const handDbs = Array.from({ length: CONSUMERS }, () => createDb(url, 1));
  const handLatDb = createDb(url, 1);
  t = now();
  let handReady = false;
  const handProbe = startHandConsumer({
    db: handLatDb,
    url,
    workerId: "bench-hand-start",
    pollMs: e.WORKER_POLL_MS,
    staleSeconds: e.RUN_STALE_SECONDS,
    listen: true,
    onJob: () => {},
    onEmpty: () => (handReady = true),
  });
  await until("the hand-written consumer's first empty claim", () => handReady, 10_000, 1);
  const handStartMs = now() - t;
  await handProbe.stop(); // its latency consumer starts after the throughput part, which it would compete in

  t = now();
  const boss = new PgBoss({ connectionString: url, max: 10 });
  const bossErrors: string[] = [];
  boss.on("error", (err: Error) => bossErrors.push(err.message));
  await boss.start();
  for (const q of ["tp", "tp_single", "lat", "lat_default", "txprobe"]) await boss.createQueue(q);
  const bossStartMs = now() - t;

  const latGraphile: { onJob: ((id: string) => void) | null } = { onJob: null };
  t = now();
  const graphileLatency: Runner = await runGraphile({
    connectionString: url,
    concurrency: 1,
    noHandleSignals: true,
    logger: silentGraphileLogger,
    taskList: { lat: async (_payload, helpers) => latGraphile.onJob?.(helpers.job.id) },
  });
  const graphileStartMs = now() - t;

  const after = { pgboss: await schemaObjects(db, "pgboss"), graphile_worker: await schemaObjects(db, "graphile_worker") };
  const added = (k: "pgboss" | "graphile_worker") => ({
    tables: after[k].tables - before[k].tables,
    functions: after[k].functions - before[k].functions,
    indexes: after[k].indexes - before[k].indexes,
  });
  say(`  queue: started hand-written ${handStartMs.toFixed(0)} ms, pg-boss ${bossStartMs.toFixed(0)} ms, graphile-worker ${graphileStartMs.toFixed(0)} ms`);

  // ----- 1. throughput -----
  async function throughputHand(n: number): Promise<Throughput> {
    await db.trainingRun.deleteMany({ where: { modelId: model.id, status: "succeeded" } });
    await db.trainingRun.createMany({ data: Array.from({ length: n }, () => ({ modelId: checked.modelId, request: checked.request as object, parsedRequest: checked.parsedRequest })) });
    const counter = new RunCounter();
    let empties = 0;
    const t0 = now();
    const consumers = handDbs.map((cdb, i) =>
      startHandConsumer({ db: cdb, url, workerId: `bench-hand-${i}`, pollMs: 60_000, staleSeconds: e.RUN_STALE_SECONDS, listen: false, onJob: (id) => counter.hit(id), onEmpty: () => empties++ }),
    );
    await until("hand-written: every consumer finds the queue empty", () => empties >= CONSUMERS, 120_000, 1);
    const seconds = (now() - t0) / 1000;
    await Promise.all(consumers.map((c) => c.stop()));
    const completedInDb = await db.trainingRun.count({ where: { modelId: model.id, status: "succeeded", workerId: { startsWith: "bench-hand-" } } });
    return { jobs: n, consumers: `${CONSUMERS} loops, a connection each`, seconds, jobsPerS: n / seconds, ...counter.check(n), completedInDb };
  }

  async function throughputBoss(queue: "tp" | "tp_single", n: number, batchSize: number): Promise<Throughput> {
    await boss.insert(Array.from({ length: n }, (_, i) => ({ name: queue, data: { i } })));
    const counter = new RunCounter();
    const completed = async () => Number((await db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM pgboss.job WHERE name = $1 AND state = 'completed'`, queue))[0].n);
    const base = await completed();
    const t0 = now();
    for (let i = 0; i < CONSUMERS; i++) {
      await boss.work(queue, { batchSize, pollingIntervalSeconds: BOSS_MIN_POLL_S }, async (jobs) => {
        for (const j of jobs) counter.hit(j.id);
      });
    }
    await until("pg-boss: every job completed", async () => counter.total >= n && (await completed()) - base >= n, 600_000, 5);
    const seconds = (now() - t0) / 1000;
    await boss.offWork(queue);
    return { jobs: n, consumers: `${CONSUMERS} work() workers, batchSize ${batchSize}, polling ${BOSS_MIN_POLL_S} s`, seconds, jobsPerS: n / seconds, ...counter.check(n), completedInDb: (await completed()) - base };
  }

  async function throughputGraphile(n: number): Promise<Throughput> {
    await db.$executeRawUnsafe(`SELECT graphile_worker.add_job('tp', json_build_object('i', g)) FROM generate_series(1, ${n}) g`);
    const counter = new RunCounter();
    const left = async () => Number((await db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM graphile_worker.jobs WHERE task_identifier = 'tp'`))[0].n);
    const t0 = now();
    const runner = await runGraphile({
      connectionString: url,
      concurrency: CONSUMERS,
      noHandleSignals: true,
      logger: silentGraphileLogger,
      taskList: { tp: async (_payload, helpers) => counter.hit(helpers.job.id) },
    });
    await until("graphile-worker: every job completed (its row deleted)", async () => counter.total >= n && (await left()) === 0, 120_000, 5);
    const seconds = (now() - t0) / 1000;
    await runner.stop();
    return { jobs: n, consumers: `run({ concurrency: ${CONSUMERS} })`, seconds, jobsPerS: n / seconds, ...counter.check(n), completedInDb: n - (await left()) };
  }

  const throughput: { hand: Throughput[]; bossBatched: Throughput[]; graphile: Throughput[]; bossSingle: Throughput[] } = { hand: [], bossBatched: [], graphile: [], bossSingle: [] };
  for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
    throughput.hand.push(await throughputHand(THROUGHPUT_JOBS));
    throughput.bossBatched.push(await throughputBoss("tp", THROUGHPUT_JOBS, BOSS_BATCH));
    throughput.graphile.push(await throughputGraphile(THROUGHPUT_JOBS));
    say(
      `  queue: throughput round ${round + 1}: hand-written ${throughput.hand[round].jobsPerS.toFixed(0)}/s, pg-boss (batch ${BOSS_BATCH}) ${throughput.bossBatched[round].jobsPerS.toFixed(0)}/s, graphile-worker ${throughput.graphile[round].jobsPerS.toFixed(0)}/s`,
    );
  }
  throughput.bossSingle.push(await throughputBoss("tp_single", BOSS_SINGLE_JOBS, 1));
  say(`  queue: pg-boss batchSize 1: ${throughput.bossSingle[0].jobsPerS.toFixed(1)}/s on ${BOSS_SINGLE_JOBS} jobs`);

  // ----- 2. wake latency -----
  const bossLatHit: { onJob: ((id: string) => void) | null } = { onJob: null };
  await boss.work("lat", { batchSize: 1, pollingIntervalSeconds: BOSS_MIN_POLL_S }, async (jobs) => {
    for (const j of jobs) bossLatHit.onJob?.(j.id);
  });
  await boss.work("lat_default", { batchSize: 1 }, async (jobs) => {
    for (const j of jobs) bossLatHit.onJob?.(j.id);
  });
  const handLatHit: { onJob: ((id: string) => void) | null } = { onJob: null };
  const handLatency = startHandConsumer({
    db: handLatDb,
    url,
    workerId: "bench-hand-latency",
    pollMs: e.WORKER_POLL_MS,
    staleSeconds: e.RUN_STALE_SECONDS,
    listen: true,
    onJob: (id) => handLatHit.onJob?.(id),
  });
  await sleep(1000); // let every idle consumer reach its sleep

  /** enqueue returns the id once its insert committed; the handler's start resolves the wait */
  async function oneLatency(hit: { onJob: ((id: string) => void) | null }, enqueue: () => Promise<string>): Promise<number> {
    let started = 0;
    let startedId: string | null = null;
    hit.onJob = (id) => {
      started = now();
      startedId = id;
    };
    const id = await enqueue();
    const committed = now();
    await until("the handler to start", () => startedId !== null, 30_000, 1);
    hit.onJob = null;
    if (startedId !== id) throw new Error(`expected job ${id} to start, got ${startedId}`);
    return started - committed;
  }
  const handEnqueue = async () => {
    const id = await insertQueuedRun(db, checked, { userId: null });
    // the product's enqueueRun: insert, then NOTIFY run_queued; the clock starts at the insert's commit
    void notifyRunQueued(db);
    return id;
  };
  // graphile-worker's jobs are queued on the product's own Prisma client, as the product would
  const graphileEnqueue = async () => String((await db.$queryRaw<{ id: bigint }[]>`SELECT (graphile_worker.add_job('lat', ${JSON.stringify({ at: Date.now() })}::json)).id`)[0].id);
  const bossEnqueue = (queue: string) => async () => (await boss.send(queue, { at: Date.now() }))!;

  const latency = { hand: [] as number[], boss: [] as number[], graphile: [] as number[], bossDefault: [] as number[] };
  for (let i = 0; i < LATENCY_JOBS; i++) {
    latency.hand.push(await oneLatency(handLatHit, handEnqueue));
    await sleep(LATENCY_GAP_MS);
    latency.boss.push(await oneLatency(bossLatHit, bossEnqueue("lat")));
    await sleep(LATENCY_GAP_MS);
    latency.graphile.push(await oneLatency(latGraphile, graphileEnqueue));
    await sleep(LATENCY_GAP_MS);
  }
  for (let i = 0; i < BOSS_DEFAULT_POLL_JOBS; i++) {
    latency.bossDefault.push(await oneLatency(bossLatHit, bossEnqueue("lat_default")));
    await sleep(LATENCY_GAP_MS);
  }
  const lat = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return { n: s.length, p50Ms: quantile(s, 0.5), p99Ms: quantile(s, 0.99), maxMs: s[s.length - 1] };
  };
  const latencyFigures = { hand: lat(latency.hand), boss: lat(latency.boss), graphile: lat(latency.graphile), bossDefault: lat(latency.bossDefault) };
  say(`  queue: wake latency p50 hand-written ${latencyFigures.hand.p50Ms.toFixed(1)} ms, pg-boss ${latencyFigures.boss.p50Ms.toFixed(1)} ms, graphile-worker ${latencyFigures.graphile.p50Ms.toFixed(1)} ms`);

  // ----- 4. enqueue inside the product's own Prisma transaction -----
  class Rollback extends Error {}
  async function inPrismaTx(f: (tx: Prisma.TransactionClient) => Promise<void>, commit: boolean): Promise<void> {
    await db
      .$transaction(async (tx) => {
        await f(tx);
        if (!commit) throw new Rollback();
      })
      .catch((err) => {
        if (!(err instanceof Rollback)) throw err;
      });
  }
  async function txProbe(enqueue: (tx: Prisma.TransactionClient, tag: string) => Promise<void>, exists: (tag: string) => Promise<boolean>) {
    try {
      const tagC = `commit-${Math.random()}`;
      const tagR = `rollback-${Math.random()}`;
      await inPrismaTx((tx) => enqueue(tx, tagC), true);
      await inPrismaTx((tx) => enqueue(tx, tagR), false);
      const ok = (await exists(tagC)) && !(await exists(tagR));
      return { ok, note: ok ? "committed: queued; rolled back: not queued" : "the job did not follow the transaction" };
    } catch (err) {
      return { ok: false, note: `failed: ${String(err).slice(0, 300)}` };
    }
  }
  const transactional = {
    hand: await txProbe(
      async (tx, tag) => {
        await insertQueuedRun(tx, { ...checked, request: { tag } }, { userId: null });
        await notifyRunQueued(tx);
      },
      async (tag) => (await db.trainingRun.count({ where: { request: { path: ["tag"], equals: tag } } })) === 1,
    ),
    graphile: await txProbe(
      async (tx, tag) => {
        await tx.$queryRaw`SELECT (graphile_worker.add_job('txprobe', ${JSON.stringify({ tag })}::json)).id`; // the whole row is a composite Prisma cannot read
      },
      async (tag) => Number((await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id WHERE t.identifier = 'txprobe' AND j.payload->>'tag' = ${tag}`)[0].n) === 1,
    ),
    boss: await txProbe(
      async (tx, tag) => {
        // pg-boss's `db` option: any object with executeSql(text, values) → { rows }
        const adapter = { executeSql: async (text: string, values: unknown[]) => ({ rows: await tx.$queryRawUnsafe<unknown[]>(text, ...values) }) };
        await boss.send("txprobe", { tag }, { db: adapter });
      },
      async (tag) => Number((await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM pgboss.job WHERE name = 'txprobe' AND data->>'tag' = ${tag}`)[0].n) === 1,
    ),
  };

  // ----- stop -----
  await handLatency.stop();
  await graphileLatency.stop();
  await boss.stop({ graceful: true, wait: true, timeout: 5000 });
  for (const c of [...handDbs, handLatDb]) await c.$disconnect();

  const footprintPkgs = { boss: await ownFootprint(o.root, "pg-boss"), graphile: await ownFootprint(o.root, "graphile-worker") };
  const bossVersion = (JSON.parse(await readFile(path.join(o.root, "node_modules/pg-boss/package.json"), "utf8")) as { version: string }).version;
  const graphileVersion = (JSON.parse(await readFile(path.join(o.root, "node_modules/graphile-worker/package.json"), "utf8")) as { version: string }).version;
  await db.$disconnect();

  // ----- the table -----
  const f0 = (x: number) => x.toFixed(0);
  const f1 = (x: number) => x.toFixed(1);
  const tps = (xs: Throughput[]) => xs.map((x) => f0(x.jobsPerS)).join(" / ");
  const once = (xs: Throughput[]) => (xs.every((x) => x.exactlyOnce) ? `yes (${xs.map((x) => `${x.distinct}/${x.jobs}, ${x.duplicated} twice`).join("; ")})` : `NO (${JSON.stringify(xs)})`);
  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
  const ms = (l: { p50Ms: number; p99Ms: number }) => `${f1(l.p50Ms)} / ${f1(l.p99Ms)}`;
  const lines = [
    `| figure | hand-written (product's SQL on TrainingRun) | pg-boss ${bossVersion} | graphile-worker ${graphileVersion} |`,
    "| --- | ---: | ---: | ---: |",
    `| throughput, ${THROUGHPUT_JOBS} queued jobs, 4 consumers, no-op handler (jobs/s, rounds ${Array.from({ length: THROUGHPUT_ROUNDS }, (_, i) => i + 1).join(" / ")}) | ${tps(throughput.hand)} | ${tps(throughput.bossBatched)} (batchSize ${BOSS_BATCH}) | ${tps(throughput.graphile)} |`,
    `| same, one job per fetch (jobs/s; pg-boss on ${BOSS_SINGLE_JOBS} jobs) | = above | ${f1(throughput.bossSingle[0].jobsPerS)} (batchSize 1: one fetch per worker per ${BOSS_MIN_POLL_S} s poll) | = above |`,
    `| each job ran exactly once | ${once(throughput.hand)} | ${once([...throughput.bossBatched, ...throughput.bossSingle])} | ${once(throughput.graphile)} |`,
    `| wake latency, enqueue committed → handler start, p50 / p99 (ms, ${LATENCY_JOBS} jobs) | ${ms(latencyFigures.hand)} (LISTEN + ${e.WORKER_POLL_MS} ms poll) | ${ms(latencyFigures.boss)} (polling ${BOSS_MIN_POLL_S} s, its minimum) | ${ms(latencyFigures.graphile)} (LISTEN + 2 s poll) |`,
    `| same at pg-boss's default polling (${BOSS_DEFAULT_POLL_S} s, ${BOSS_DEFAULT_POLL_JOBS} jobs) | — | ${ms(latencyFigures.bossDefault)} | — |`,
    `| tables / functions / indexes it adds | 0 / 0 / 0 (TrainingRun's own columns) | ${added("pgboss").tables} / ${added("pgboss").functions} / ${added("pgboss").indexes} | ${added("graphile_worker").tables} / ${added("graphile_worker").functions} / ${added("graphile_worker").indexes} |`,
    `| node_modules it brings (packages only it needs) | 0 | ${mb(footprintPkgs.boss.bytes)} (${footprintPkgs.boss.packages.length}) | ${mb(footprintPkgs.graphile.bytes)} (${footprintPkgs.graphile.packages.length}) |`,
    `| startup: schema + start (ms) | ${f0(handStartMs)} (LISTEN + first claim; its schema is in the product's migrations, all of which took ${f0(productMigrateMs)}) | ${f0(bossStartMs)} | ${f0(graphileStartMs)} |`,
    `| enqueue in the product's Prisma transaction (commit and rollback checked) | ${transactional.hand.ok ? "yes" : "NO"}: insertQueuedRun(tx) | ${transactional.boss.ok ? "yes" : "NO"}: send(…, { db: adapter over tx }) | ${transactional.graphile.ok ? "yes" : "NO"}: SELECT graphile_worker.add_job(…) on tx |`,
  ];
  const load = { start: loadStart, end: loadAvg(), cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, node: process.version };
  process.stdout.write(["", `## bench: job queues; ${load.cpus} CPUs (${load.cpuModel}), node ${load.node}; load average ${load.start} at start, ${load.end} at end`, "", ...lines, ""].join("\n") + "\n");
  if (bossErrors.length) say(`  pg-boss reported errors: ${[...new Set(bossErrors)].join("; ")}`);
  for (const [k, v] of Object.entries(transactional)) if (!v.ok) say(`  transactional enqueue, ${k}: ${v.note}`);

  return {
    loadAvg: load,
    versions: { pgBoss: bossVersion, graphileWorker: graphileVersion },
    throughput,
    latency: { ...latencyFigures, settings: { handPollMs: e.WORKER_POLL_MS, bossPollS: BOSS_MIN_POLL_S, bossDefaultPollS: BOSS_DEFAULT_POLL_S, graphilePollMs: 2000, gapMs: LATENCY_GAP_MS } },
    footprint: {
      schema: { hand: { tables: 0, functions: 0, indexes: 0 }, pgBoss: added("pgboss"), graphileWorker: added("graphile_worker") },
      nodeModules: { pgBoss: { bytes: footprintPkgs.boss.bytes, packages: footprintPkgs.boss.packages }, graphileWorker: { bytes: footprintPkgs.graphile.bytes, packages: footprintPkgs.graphile.packages } },
      startupMs: { hand: handStartMs, pgBoss: bossStartMs, graphileWorker: graphileStartMs, productMigrations: productMigrateMs },
    },
    transactionalEnqueue: transactional,
    bossErrors: [...new Set(bossErrors)],
    table: lines.join("\n"),
  };
}
