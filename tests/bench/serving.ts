// `npm run bench -- --only serving`: /api/predict under load next to /api/health, the web stack's
// own ceiling, on the built web app (`next start`, production) with the version the product serves
// after its first run: the default request on demo_email trained by the real worker loop, then
// promoted (Override). The load comes from autocannon in a child process (tests/bench/load.ts),
// fixed-duration measurements after a short warm-up, with an API token as the auth. Health and
// predict alternate, ROUNDS times each (the machine is shared: alternating keeps a burst of other
// work from landing on one of the pair only); requests/s is over all rounds, p50 and p99 the
// median of the rounds'.
//
// Two server starts: predictions coalesced (the defaults, PREDICT_BATCH_WAIT_MS=2 and
// PREDICT_BATCH_MAX_TEXTS=32) and not (PREDICT_BATCH_WAIT_MS=0); each measures /api/health too,
// and the ratio predict ÷ health is taken within one server start. Then one request of 1,000
// texts (which is scored alone either way): short texts (an e-mail's first 12 words) and whole
// e-mails, each sent by autocannon on one connection for a fixed time (texts/s = 1,000 × requests/s,
// with its p50 and p99), and a few times by this process's own fetch, which also reads the
// handler's elapsedMs (the scoring alone).
//
// Where the time goes (first server start, concurrency 32): the same POST /api/predict without a
// token (answered 401 before any database query: the web stack's cost of a POST route; /api/predict
// and /api/health skip Next.js's proxy step, which /api/me keeps: lib/web/outside-proxy.ts) and GET
// /api/me with the token (the token lookup alone, cached per web process after the first request).
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { startEmbeddedPostgres } from "../../lib/db/embedded";
import { enqueueRun } from "../../lib/runs/web/enqueue";
import { promoteVersion } from "../../lib/versions/promote";
import { startBenchWorker, waitForRunEnd } from "./bench-worker";
import { autocannon, type LoadFigures } from "./load";
import { prepareBenchDatabase, startBenchWeb } from "./web-stack";

type Pg = Awaited<ReturnType<typeof startEmbeddedPostgres>>;

const SHORT_TEXT = "This was a really bad experience";
const GOAL_RATIO = 0.7;
const GOAL_TEXTS_PER_S = 50_000;
const BULK_TEXTS = 1000;
const BULK_REPEATS = 7;
const WARMUP_S = 2;
const ROUNDS = 3;

const SERVERS = [
  { name: "coalescing on (PREDICT_BATCH_WAIT_MS=2, PREDICT_BATCH_MAX_TEXTS=32)", key: "on", env: { PREDICT_BATCH_WAIT_MS: "2", PREDICT_BATCH_MAX_TEXTS: "32" } },
  { name: "coalescing off (PREDICT_BATCH_WAIT_MS=0)", key: "off", env: { PREDICT_BATCH_WAIT_MS: "0" } },
] as const;

/** Answers that are not 200 but expected (the layers below predict). */
const LAYERS = [
  { name: "POST /api/predict without a token (401: the POST path, no database)", key: "anonymousPost", status: "401" },
  { name: "GET /api/me with the token (the token lookup alone)", key: "tokenOnly", status: "200" },
] as const;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The rounds of one measurement as one figure: requests/s over all of them, the median p50 and p99. */
function pooled(rounds: LoadFigures[]): LoadFigures & { rounds: LoadFigures[] } {
  const sum = (f: (r: LoadFigures) => number) => rounds.reduce((a, r) => a + f(r), 0);
  return {
    connections: rounds[0].connections,
    durationS: sum((r) => r.durationS),
    requests: sum((r) => r.requests),
    requestsPerS: sum((r) => r.requests) / sum((r) => r.durationS),
    p50Ms: median(rounds.map((r) => r.p50Ms)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    rounds,
  };
}

const loadAvg = () => os.loadavg().map((x) => x.toFixed(2)).join(" ");

export async function runServingBench(o: { root: string; tmp: string; modelsDir: string; pg: Pg; say: (line: string) => void; durationS?: number }): Promise<Record<string, unknown>> {
  const durationS = o.durationS ?? 4;
  const loadStart = loadAvg();
  const d = await prepareBenchDatabase(o.pg, "serving");
  try {
    const worker = await startBenchWorker(d.db, d.url, () => {});
    let versionId: string;
    try {
      const q = await enqueueRun(d.db, { table: "demo_email", columns: "label,text" }, null);
      if (!q.ok) throw new Error(JSON.stringify(q.issues));
      const run = await waitForRunEnd(d.db, q.id);
      if (run.status !== "succeeded" || !run.candidateVersionId) throw new Error(`run ${run.id} ${run.status}: ${run.error}`);
      versionId = run.candidateVersionId;
      await promoteVersion(d.db, { modelName: "default", versionId });
      o.say(`  serving: version ${versionId} (the default run on demo_email, ${((run.metricsNew as { accuracy: number }).accuracy * 100).toFixed(2)} %) serves`);
    } finally {
      await worker.stop();
    }
    const emails = (await d.db.$queryRawUnsafe<{ text: string }[]>(`SELECT text FROM demo_email ORDER BY id LIMIT ${BULK_TEXTS}`)).map((r) => r.text);
    const bulkBodies = {
      short: JSON.stringify({ inputs: emails.map((t) => t.split(/\s+/).filter(Boolean).slice(0, 12).join(" ")) }),
      whole: JSON.stringify({ inputs: emails }),
    };
    const auth = { authorization: `Bearer ${d.token}` };
    const predictReq = { method: "POST" as const, headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ inputs: SHORT_TEXT }) };

    const servers: Record<string, { health: Record<string, LoadFigures>; predict: Record<string, LoadFigures>; ratio: Record<string, number> }> = {};
    const layers: Record<string, LoadFigures> = {};
    const bulk: Record<string, { textsPerS: number; p50Ms: number; p99Ms: number; requests: number; fetchMedianMs: number; fetchTextsPerS: number; serverMedianMs: number; fetchRoundTripsMs: number[] }> = {};
    for (const s of SERVERS) {
      const web = await startBenchWeb({ root: o.root, d, modelsDir: o.modelsDir, env: s.env, say: o.say });
      try {
        const health = { url: `${web.url}/api/health` };
        const predict = { url: `${web.url}/api/predict`, ...predictReq };
        const first = await fetch(predict.url, { method: "POST", headers: predict.headers, body: predict.body });
        if (first.status !== 200) throw new Error(`/api/predict answered ${first.status}: ${await first.text()}`);
        await first.text();
        for (const r of [health, predict]) await autocannon(o.root, { ...r, connections: 32, durationS: WARMUP_S });
        const fig: (typeof servers)[string] = { health: {}, predict: {}, ratio: {} };
        for (const c of [1, 32]) {
          const rounds = { health: [] as LoadFigures[], predict: [] as LoadFigures[] };
          for (let round = 0; round < ROUNDS; round++) {
            for (const [name, r] of [["health", health], ["predict", predict]] as const) {
              const f = await autocannon(o.root, { ...r, connections: c, durationS });
              if (f.non2xx || f.errors || f.timeouts) throw new Error(`${name} at concurrency ${c}: ${f.non2xx} non-2xx, ${f.errors} errors, ${f.timeouts} timeouts`);
              rounds[name].push(f);
            }
          }
          for (const name of ["health", "predict"] as const) {
            const f = (fig[name][`c${c}`] = pooled(rounds[name]));
            o.say(`  serving [${s.key}] ${name} c${c}: ${f.requestsPerS.toFixed(0)} req/s, p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms (rounds: ${rounds[name].map((r) => r.requestsPerS.toFixed(0)).join(", ")} req/s)`);
          }
          fig.ratio[`c${c}`] = fig.predict[`c${c}`].requestsPerS / fig.health[`c${c}`].requestsPerS;
        }
        servers[s.key] = fig;
        if (s.key === "on") {
          const layerReq = {
            anonymousPost: { url: predict.url, method: "POST" as const, headers: { "content-type": "application/json" }, body: predict.body },
            tokenOnly: { url: `${web.url}/api/me`, headers: auth },
          };
          for (const l of LAYERS) {
            await autocannon(o.root, { ...layerReq[l.key], connections: 32, durationS: WARMUP_S });
            const f = await autocannon(o.root, { ...layerReq[l.key], connections: 32, durationS: durationS * ROUNDS });
            if (l.status === "401" ? f.non2xx !== f.requests : f.non2xx) throw new Error(`${l.name}: ${f.non2xx} of ${f.requests} answers not ${l.status}`);
            layers[l.key] = f;
            o.say(`  serving [on] ${l.key} c32: ${f.requestsPerS.toFixed(0)} req/s, p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms`);
          }
          for (const [kind, body] of Object.entries(bulkBodies)) {
            // the load generator's figure: one connection sending the request again as soon as its answer is in
            const bodyFile = path.join(o.tmp, `bulk-${kind}.json`);
            await writeFile(bodyFile, body);
            const bulkReq = { url: predict.url, method: "POST" as const, headers: predict.headers, bodyFile, connections: 1 };
            await autocannon(o.root, { ...bulkReq, durationS: WARMUP_S });
            const load = await autocannon(o.root, { ...bulkReq, durationS: durationS * ROUNDS });
            if (load.non2xx || load.errors || load.timeouts || load.requests === 0) throw new Error(`bulk ${kind}: ${load.requests} requests, ${load.non2xx} non-2xx, ${load.errors} errors, ${load.timeouts} timeouts`);
            // and this process's own round trips (Node's fetch, the answer parsed), with the handler's elapsedMs
            const trips: number[] = [];
            const server: number[] = [];
            for (let i = 0; i <= BULK_REPEATS; i++) {
              const t = performance.now();
              const res = await fetch(predict.url, { method: "POST", headers: predict.headers, body });
              const j = (await res.json()) as { elapsedMs: number; predictions: unknown[] };
              if (res.status !== 200 || j.predictions.length !== BULK_TEXTS) throw new Error(`bulk predict answered ${res.status}`);
              if (i === 0) continue; // warm-up
              trips.push(performance.now() - t);
              server.push(j.elapsedMs);
            }
            bulk[kind] = {
              textsPerS: BULK_TEXTS * load.requestsPerS,
              p50Ms: load.p50Ms,
              p99Ms: load.p99Ms,
              requests: load.requests,
              fetchMedianMs: median(trips),
              fetchTextsPerS: BULK_TEXTS / (median(trips) / 1000),
              serverMedianMs: median(server),
              fetchRoundTripsMs: trips,
            };
            o.say(`  serving: ${BULK_TEXTS} ${kind} texts in one request: ${(BULK_TEXTS * load.requestsPerS).toFixed(0)} texts/s (autocannon, ${load.requests} requests, p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms); fetch from the bench: median ${median(trips).toFixed(1)} ms round trip (${median(server).toFixed(1)} ms in the handler)`);
          }
        }
      } finally {
        await web.stop();
      }
    }

    const row = (what: string, f: LoadFigures) => `| ${what} | ${f.connections} | ${f.requestsPerS.toFixed(0)} | ${f.p50Ms} | ${f.p99Ms} |`;
    const lines = [`| endpoint (${ROUNDS} × ${durationS} s, alternating with its pair; autocannon in its own process) | concurrency | requests/s | p50 ms | p99 ms |`, "| --- | ---: | ---: | ---: | ---: |"];
    for (const s of SERVERS) {
      for (const c of ["c1", "c32"]) {
        lines.push(row(`GET /api/health (server with ${s.key === "on" ? "coalescing on" : "coalescing off"})`, servers[s.key].health[c]));
        lines.push(row(`POST /api/predict, one short text, ${s.name}`, servers[s.key].predict[c]));
      }
    }
    for (const l of LAYERS) lines.push(row(`${l.name}, coalescing on`, layers[l.key]));
    const goals = [
      "| figure | measured | goal |",
      "| --- | ---: | ---: |",
      ...SERVERS.flatMap((s) => ["c1", "c32"].map((c) => `| predict ÷ health requests/s, concurrency ${c.slice(1)}, coalescing ${s.key} | ${servers[s.key].ratio[c].toFixed(2)} | ${c === "c32" ? `≥ ${GOAL_RATIO}` : "—"} |`)),
      ...LAYERS.map((l) => `| ${l.key === "anonymousPost" ? "anonymous POST (401)" : "GET /api/me (token lookup)"} ÷ health, concurrency 32 | ${(layers[l.key].requestsPerS / servers.on.health.c32.requestsPerS).toFixed(2)} | (where the time goes) |`),
      ...(["short", "whole"] as const).map((kind) => {
        const b = bulk[kind];
        const what = kind === "short" ? "short texts (first 12 words of an e-mail)" : "whole e-mails";
        return `| one request of ${BULK_TEXTS} ${what}, one connection for ${durationS * ROUNDS} s (autocannon) | ${b.textsPerS.toFixed(0)} texts/s (p50 ${b.p50Ms} ms, p99 ${b.p99Ms} ms; fetch from the bench process, median of ${BULK_REPEATS}: ${b.fetchMedianMs.toFixed(1)} ms; handler ${b.serverMedianMs.toFixed(1)} ms) | ${kind === "short" ? `≥ ${GOAL_TEXTS_PER_S.toLocaleString("en")} texts/s` : "—"} |`;
      }),
      "| DESIGN.md §5 reference: predict c1 / c32 / 1,000 texts | 271/s / 540/s / 88 ms | |",
    ];
    const load = { start: loadStart, end: loadAvg(), cpus: os.cpus().length };
    process.stdout.write(["", `## bench: serving (starter model, first run's version); ${load.cpus} CPUs, load average ${load.start} at start, ${load.end} at end`, "", ...lines, "", ...goals, ""].join("\n") + "\n");
    return { loadAvg: load, versionId, durationS, rounds: ROUNDS, warmupS: WARMUP_S, servers, layers, bulk, goals: { ratioC32: GOAL_RATIO, bulkTextsPerS: GOAL_TEXTS_PER_S }, table: lines.join("\n"), goalTable: goals.join("\n") };
  } finally {
    await d.db.$disconnect();
  }
}
