// `npm run bench -- --only live`: live updates of one running run to 50 Server-Sent-Event clients
// (GET /api/runs/:id/events with an API token) on the built web app (`next start`, production).
// The run is queued with the default request and claimed the way a worker claims it; its log
// lines are then written through the product's reporter (createRunReporter(…).log: the INSERT and
// the NOTIFY a worker does) from this process, one every LINE_EVERY_MS, so each line's write time
// is known on the same clock as its receipt: latency = receipt by a client − the start of the
// reporter's write. While the clients listen, the database's sessions that issued LISTEN are
// counted in pg_stat_activity (one per web process is the design; the worker's is absent here).
import os from "node:os";
import type { startEmbeddedPostgres } from "../../lib/db/embedded";
import { createRunReporter } from "../../lib/runs/reporter";
import { claimNextRun, heartbeatWorker } from "../../lib/runs/queue";
import { enqueueRun } from "../../lib/runs/web/enqueue";
import { prepareBenchDatabase, startBenchWeb } from "./web-stack";

type Pg = Awaited<ReturnType<typeof startEmbeddedPostgres>>;

const CLIENTS = 50;
const LINES = 30;
const LINE_EVERY_MS = 200;
const GOAL_P50_MS = 200;
const WORKER_ID = "bench-live";

/** A Server-Sent-Events reader over fetch: calls `onEvent` for every complete event. */
async function readEvents(res: Response, onEvent: (event: string, data: string) => void): Promise<void> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buf += value;
    let end: number;
    while ((end = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      if (data.length) onEvent(event, data.join("\n"));
    }
  }
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

const loadAvg = () => os.loadavg().map((x) => x.toFixed(2)).join(" ");

export async function runLiveBench(o: { root: string; modelsDir: string; pg: Pg; say: (line: string) => void }): Promise<Record<string, unknown>> {
  const loadStart = loadAvg();
  const d = await prepareBenchDatabase(o.pg, "live");
  const web = await startBenchWeb({ root: o.root, d, modelsDir: o.modelsDir, say: o.say });
  const abort = new AbortController();
  try {
    const q = await enqueueRun(d.db, { table: "demo_email", columns: "label,text" }, null);
    if (!q.ok) throw new Error(JSON.stringify(q.issues));
    await heartbeatWorker(d.db, { id: WORKER_ID, hostname: os.hostname(), pid: process.pid, device: "cpu" });
    if ((await claimNextRun(d.db, WORKER_ID)) !== q.id) throw new Error("the bench could not claim its run");
    const reporter = createRunReporter(d.db, q.id, WORKER_ID);

    const writtenAt = new Map<string, number>(); // message → performance.now() at the start of its write
    const received: Map<string, number>[] = [];
    let connected = 0;
    const streams = Array.from({ length: CLIENTS }, async (_, i) => {
      const got = new Map<string, number>();
      received[i] = got;
      const res = await fetch(`${web.url}/api/runs/${q.id}/events`, { headers: { authorization: `Bearer ${d.token}` }, signal: abort.signal });
      if (res.status !== 200) throw new Error(`client ${i}: events answered ${res.status}`);
      let first = true;
      await readEvents(res, (event, data) => {
        const now = performance.now();
        if (event === "progress" && first) {
          first = false;
          connected++;
        }
        if (event === "log") got.set((JSON.parse(data) as { message: string }).message, now);
      }).catch((err: unknown) => {
        if (!abort.signal.aborted) throw err;
      });
    });
    const failed = Promise.all(streams).then(() => {
      if (!abort.signal.aborted) throw new Error("an event stream ended early");
    });
    failed.catch(() => {}); // observed through `until` below
    const until = async (what: string, ok: () => boolean, ms: number) => {
      const deadline = Date.now() + ms;
      while (!ok()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await Promise.race([new Promise((r) => setTimeout(r, 20)), failed]);
      }
    };
    await until(`${CLIENTS} clients to connect`, () => connected === CLIENTS, 30_000);
    o.say(`  live: ${CLIENTS} clients connected to run ${q.id}`);

    const activity = await d.db.$queryRawUnsafe<{ listening: bigint; total: bigint }[]>(
      `SELECT count(*) FILTER (WHERE query ILIKE 'LISTEN %') AS listening, count(*) AS total FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    const listenQueries = await d.db.$queryRawUnsafe<{ query: string }[]>(`SELECT query FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN %'`);
    const listenBackends = Number(activity[0].listening);
    o.say(`  live: ${listenBackends} database session(s) LISTEN (${listenQueries.map((r) => r.query).join("; ")}); ${activity[0].total} sessions on the database in all`);

    for (let i = 0; i < LINES; i++) {
      const message = `bench live line ${i + 1}/${LINES}`;
      const tick = performance.now();
      writtenAt.set(message, tick);
      await reporter.log(message);
      await new Promise((r) => setTimeout(r, Math.max(0, LINE_EVERY_MS - (performance.now() - tick))));
    }
    const complete = () => received.every((got) => [...writtenAt.keys()].every((m) => got.has(m)));
    await until("every client to receive every line", complete, 10_000).catch(() => {});
    const latencies: number[] = [];
    let missing = 0;
    for (const got of received) {
      for (const [m, t0] of writtenAt) {
        const t = got.get(m);
        if (t === undefined) missing++;
        else latencies.push(t - t0);
      }
    }
    latencies.sort((a, b) => a - b);
    const figures = {
      clients: CLIENTS,
      lines: LINES,
      lineEveryMs: LINE_EVERY_MS,
      samples: latencies.length,
      missing,
      p50Ms: quantile(latencies, 0.5),
      p90Ms: quantile(latencies, 0.9),
      p99Ms: quantile(latencies, 0.99),
      maxMs: latencies[latencies.length - 1],
      listenBackends,
      databaseSessions: Number(activity[0].total),
    };
    const ms = (x: number) => `${x.toFixed(1)} ms`;
    const lines = [
      `| figure (${CLIENTS} SSE clients, ${LINES} lines at one per ${LINE_EVERY_MS} ms, ${latencies.length} samples) | measured | goal |`,
      "| --- | ---: | ---: |",
      `| reporter write → client receipt, p50 | ${ms(figures.p50Ms)} | < ${GOAL_P50_MS} ms |`,
      `| p90 / p99 / max | ${ms(figures.p90Ms)} / ${ms(figures.p99Ms)} / ${ms(figures.maxMs)} | reported |`,
      `| lines not received within 10 s | ${missing} | 0 |`,
      `| database sessions doing LISTEN (web process) | ${listenBackends} | 1 |`,
    ];
    const load = { start: loadStart, end: loadAvg(), cpus: os.cpus().length };
    process.stdout.write(["", `## bench: live updates; ${load.cpus} CPUs, load average ${load.start} at start, ${load.end} at end`, "", ...lines, ""].join("\n") + "\n");
    return { loadAvg: load, runId: q.id, ...figures, goals: { p50Ms: GOAL_P50_MS, listenBackends: 1 }, table: lines.join("\n") };
  } finally {
    abort.abort();
    await web.stop();
    await d.db.$disconnect();
  }
}
