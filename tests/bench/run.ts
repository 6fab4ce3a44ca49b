// `npm run bench`: the product's real training run on the whole demo table, side by side with
// Debian's fastText on exactly the same train/test split. Figures and ratios only, no pass/fail.
//
// (a) product: fresh embedded PostgreSQL -> prepareDatabase (migrate, seed demo_email, starter
//     model) -> enqueueRun({table: "demo_email", columns: "label,text"}) with default arguments
//     -> the real worker loop (startWorker), in this process. Wall time is queue -> succeeded.
// (b) fastText (`fasttext` on PATH, `apt-get install -y fasttext`): the rows read the way the
//     worker reads them (resolveSource + fetchLabelledRows), split as the run splits them (the
//     stable split at p_of_train 0.8, lib/runs/fair-split.ts), written as `__label__x text` (lowercased, one line
//     per row), then `supervised` timed around the whole command and `test` for accuracy.
//
// Prints a markdown table and writes bench-results/latest.json.
//
// Then the encoder part (tests/bench/encoders.ts): encoding throughput of a BERT-base-shaped
// synth-bert, product path vs a bare onnxruntime-node loop, and a re-train on a cold vs a warm
// feature cache; it writes bench-results/encoders.json.
//
// Then encoding spread over workers (tests/bench/shards.ts, bench-results/shards.json): one encoder
// run unsharded, with shards on one worker, and on two; BERT-base's per-row cost and the estimate
// for 700,000 rows on N machines.
//
// Then the fair comparison on a growing table (tests/bench/fair.ts, bench-results/fair.json).
//
// Then accuracy across text lengths next to fastText's sub-word settings (tests/bench/quality.ts,
// bench-results/quality.json).
//
// Then the starter's tokenising on one thread, the fast path against transformers.js
// (tests/bench/tokenize.ts, bench-results/tokenize.json).
//
// Then the starter's training step on one thread, the WebAssembly SIMD kernels against the
// JavaScript loops (tests/bench/kernels.ts, bench-results/kernels.json).
//
// Then serving (tests/bench/serving.ts, bench-results/serving.json): /api/predict next to
// /api/health on the built web app (`next start`) under autocannon from a child process, with
// predictions coalesced and not, and one request of 1,000 texts.
//
// Then live updates (tests/bench/live.ts, bench-results/live.json): 50 Server-Sent-Event clients on
// one running run, the time from the reporter writing a log line to each client receiving it, and
// how many database connections LISTEN for them.
//
// The serving and live parts' figures (and scale's and queue's, when asked for) are also printed as one JSON
// object on the last line of output: the part's figures with --only, else { serving, live }.
//
// `npm run bench -- --only queue` (only on request) measures the product's hand-written run queue
// next to pg-boss 10 and graphile-worker 0.16 on one database: throughput, wake latency, footprint,
// enqueue inside a Prisma transaction (tests/bench/queue.ts, bench-results/queue.json).
//
// `npm run bench -- --only scale [--rows N]` (only on request: many minutes) builds an N-row table
// (default 700,000) and runs the product and fastText on it (tests/bench/scale.ts).
//
// `npm run bench -- --only starter|encoders|shards|fair|quality|tokenize|kernels|serving|live|scale|queue` runs one part; `--benchmarks word,short`
// and `--seeds 1` narrow the quality part.
import { spawnSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const PARTS = ["starter", "encoders", "shards", "fair", "quality", "tokenize", "kernels", "serving", "live", "scale", "queue"] as const;
let only: (typeof PARTS)[number] | null = null;
let qualityBenchmarks: string[] | undefined;
let qualitySeeds: number[] | undefined;
let scaleRows = 700_000;
/** --fasttext off: the scale part skips fastText (its 7,000,000-row run alone takes about 14 minutes; the figure of an earlier run on the same seeded table stands) */
let scaleFastText = true;
try {
  const { values } = parseArgs({ options: { only: { type: "string" }, benchmarks: { type: "string" }, seeds: { type: "string" }, rows: { type: "string" }, fasttext: { type: "string" } } });
  if (values.fasttext !== undefined && !["on", "off"].includes(values.fasttext)) throw new Error(`--fasttext must be on or off (got "${values.fasttext}")`);
  scaleFastText = values.fasttext !== "off";
  if (values.rows !== undefined) {
    scaleRows = Number(values.rows);
    if (!(Number.isSafeInteger(scaleRows) && scaleRows >= 100)) throw new Error(`--rows must be a whole number ≥ 100 (got "${values.rows}")`);
  }
  qualityBenchmarks = values.benchmarks?.split(",").map((s) => s.trim());
  qualitySeeds = values.seeds?.split(",").map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n)) throw new Error(`--seeds must be whole numbers separated by commas (got "${values.seeds}")`);
    return n;
  });
  if (values.only !== undefined && !PARTS.includes(values.only as never)) throw new Error(`--only must be ${PARTS.join(" or ")} (got "${values.only}")`);
  only = (values.only as (typeof PARTS)[number] | undefined) ?? null;
} catch (err) {
  process.stderr.write(`bench: ${(err as Error).message}\nusage: npm run bench [-- --only ${PARTS.join("|")}] [--benchmarks word,short,medium,long] [--seeds 1,2,3] [--rows 700000] [--fasttext off]\n`);
  process.exit(2);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const tmp = await mkdtemp(path.join(os.tmpdir(), "bench-"));
// As root the embedded PostgreSQL runs as user "postgres", which must be able to reach its folder under tmp.
if (process.getuid?.() === 0) await chmod(tmp, 0o755);
const modelsTmp = path.join(tmp, "models");
// Must be set before lib/env.ts is first read; every product module is imported dynamically below.
process.env.MODELS_DIR = modelsTmp;

const { freePort, startEmbeddedPostgres } = await import("../../lib/db/embedded");
const { prepareDatabase } = await import("../../lib/prepare-database");
const { createDb } = await import("../../lib/db/client");
const { enqueueRun } = await import("../../lib/runs/web/enqueue");
const { startBenchWorker } = await import("./bench-worker");
const { parseRunRequest } = await import("../../lib/validations/run-request");
const { resolveSource } = await import("../../lib/runs/resolve-request");
const { fetchLabelledRows } = await import("../../lib/runs/fetch-rows");
const { fairSplit } = await import("../../lib/runs/fair-split");
const { fasttextPath, runFastTextConfigs } = await import("./fasttext");
type FastTextResult = import("./fasttext").FastTextResult;

type Db = ReturnType<typeof createDb>;

/** DESIGN.md §5 reference rows (same machine kind, measured there; not re-measured here). */
const REFERENCE = [
  { system: "reference: fastText 5 ep unigrams (DESIGN.md §5, spam-assassin 5,911 rows)", accuracy: 0.973, wallS: 2.9 },
  { system: "reference: fastText 25 ep bigrams (DESIGN.md §5)", accuracy: 0.99, wallS: 18.4 },
];

const REQUEST = { table: "demo_email", columns: "label,text" };
const FASTTEXT_CONFIGS = [
  { name: "fastText 5 ep, unigrams", args: ["-epoch", "5", "-thread", "2"] },
  { name: "fastText 25 ep, wordNgrams 2", args: ["-epoch", "25", "-wordNgrams", "2", "-thread", "2"] },
];

const say = (line: string) => process.stderr.write(line + "\n");
const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

interface ProductResult {
  runId: string;
  status: string;
  error: string | null;
  wallS: number;
  dbQueueToFinishS: number | null;
  timings: Record<string, number> | null;
  stats: Record<string, unknown> | null;
  accuracy: number | null;
  weightedF1: number | null;
  evalLoss: number | null;
  prepareS: number;
}

async function runProduct(url: string, db: Db): Promise<ProductResult> {
  let t = process.hrtime.bigint();
  const prepared = await prepareDatabase(url, { adminEmail: "bench@example.com", adminPassword: "bench-password-1", log: (l) => say(`  [prepare] ${l}`) });
  const prepareS = seconds(t);
  say(`  prepared database in ${prepareS.toFixed(1)} s (${prepared.demoRowsInserted} demo rows)`);

  const worker = await startBenchWorker(db, url, say);
  try {
    t = process.hrtime.bigint();
    const queued = await enqueueRun(db, REQUEST, null);
    if (!queued.ok) throw new Error(`enqueueRun refused the request: ${JSON.stringify(queued.issues)}`);
    let run;
    for (;;) {
      run = await db.trainingRun.findUniqueOrThrow({ where: { id: queued.id } });
      if (run.status !== "queued" && run.status !== "running") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const wallS = seconds(t);
    const m = run.metricsNew as { accuracy?: number; f1?: number; eval_loss?: number } | null;
    return {
      runId: run.id,
      status: run.status,
      error: run.error,
      wallS,
      dbQueueToFinishS: run.finishedAt ? (run.finishedAt.getTime() - run.createdAt.getTime()) / 1000 : null,
      timings: run.timings as Record<string, number> | null,
      stats: run.stats as Record<string, unknown> | null,
      accuracy: m?.accuracy ?? null,
      weightedF1: m?.f1 ?? null,
      evalLoss: m?.eval_loss ?? null,
      prepareS,
    };
  } finally {
    await worker.stop();
  }
}

async function runFastText(db: Db, bin: string, workDir: string): Promise<{ results: FastTextResult[]; split: { train: number; test: number } }> {
  const parsed = parseRunRequest(REQUEST, "starter");
  if (!parsed.ok) throw new Error(`parseRunRequest: ${JSON.stringify(parsed.issues)}`);
  const resolved = await resolveSource(db, parsed.request);
  if (!resolved.ok) throw new Error(`resolveSource: ${JSON.stringify(resolved.issues)}`);
  const src = resolved.source;
  const { rows } = await fetchLabelledRows(db, { ...src, limit: parsed.request.limit });
  // the product's own split of these rows (nothing serves in the bench)
  const { train, test } = fairSplit({ rows, kind: parsed.request.split, rowsSelection: "all", pOfTrain: parsed.request.p_of_train, seed: parsed.request.seed ?? 42, servingRows: null, serving: false });
  const results = await runFastTextConfigs(bin, workDir, { train, test }, FASTTEXT_CONFIGS, say);
  return { results, split: { train: train.length, test: test.length } };
}

const pct = (x: number | null | undefined) => (x == null ? "—" : `${(x * 100).toFixed(2)} %`);
const sec = (x: number | null | undefined) => (x == null ? "—" : x.toFixed(2));
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : "—");

const load = () => os.loadavg().map((x) => x.toFixed(2)).join(" ");
const loadAtStart = load();

/** The figures of the parts that print them on the last line (serving, live, scale), by part. */
const lastLine: Record<string, unknown> = {};
async function writeResult(part: string, figures: Record<string, unknown>): Promise<void> {
  await mkdir(path.join(root, "bench-results"), { recursive: true });
  await writeFile(path.join(root, "bench-results", `${part}.json`), JSON.stringify({ at: new Date().toISOString(), ...figures }, null, 2) + "\n");
  say(`wrote ${path.join(root, "bench-results", `${part}.json`)}`);
  lastLine[part] = figures;
}

let pgServer: Awaited<ReturnType<typeof startEmbeddedPostgres>> | null = null;
let db: Db | null = null;
try {
  say(`bench: temp dir ${tmp}; ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? "?"}, node ${process.version}`);
  let t = process.hrtime.bigint();
  pgServer = await startEmbeddedPostgres({ dataDir: path.join(tmp, "pgdata"), port: await freePort(), persistent: false });
  say(`  embedded PostgreSQL up in ${seconds(t).toFixed(1)} s`);

  if (only === null || only === "starter") {
    await pgServer.ensureDatabase("bench");
    const url = pgServer.urlFor("bench");
    db = createDb(url, 4);

    const product = await runProduct(url, db);
    if (product.status !== "succeeded") say(`  product run ${product.runId} ended ${product.status}: ${product.error}`);

    const bin = fasttextPath();
    let fast: Awaited<ReturnType<typeof runFastText>> | null = null;
    if (!bin) say("  fastText is not installed; skipping its rows. Install it with: sudo apt-get install -y fasttext");
    else fast = await runFastText(db, bin, path.join(tmp, "fasttext"));

    const runSplit = product.stats as { trainRows?: number; testRows?: number } | null;
    const splitNote = fast
      ? fast.split.train === runSplit?.trainRows && fast.split.test === runSplit?.testRows
        ? `same split as the run: ${fast.split.train} train / ${fast.split.test} test`
        : `SPLIT DIFFERS: fastText ${fast.split.train}/${fast.split.test}, run ${runSplit?.trainRows}/${runSplit?.testRows}`
      : "fastText skipped";

    const lines: string[] = [];
    lines.push(`| system | accuracy | weighted F1 | wall time (s) | product time ÷ this |`);
    lines.push(`| --- | ---: | ---: | ---: | ---: |`);
    lines.push(`| product: starter model, default arguments (queue → succeeded) | ${pct(product.accuracy)} | ${pct(product.weightedF1)} | ${sec(product.wallS)} | 1.00× |`);
    for (const r of fast?.results ?? []) lines.push(`| ${r.system} (supervised only) | ${pct(r.accuracy)} | — | ${sec(r.wallS)} | ${ratio(product.wallS, r.wallS)} |`);
    if (!fast) for (const c of FASTTEXT_CONFIGS) lines.push(`| ${c.name} | skipped (not installed) | — | — | — |`);
    for (const r of REFERENCE) lines.push(`| ${r.system} | ${pct(r.accuracy)} | — | ${sec(r.wallS)} | ${ratio(product.wallS, r.wallS)} |`);

    const PHASE_ORDER = ["fetching", "evaluating-old", "tokenizing", "training", "evaluating-new", "saving", "total"];
    const phases = product.timings ? Object.entries(product.timings).sort(([a], [b]) => PHASE_ORDER.indexOf(a) - PHASE_ORDER.indexOf(b)).map(([k, v]) => `${k} ${v.toFixed(2)} s`).join(", ") : "—";
    const output = [
      "",
      `## bench: demo_email, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"}); load average ${loadAtStart} at start, ${load()} at end (other work on the machine skews every figure)`,
      "",
      ...lines,
      "",
      `- product run ${product.runId}: ${product.status}${product.error ? ` (${product.error})` : ""}; queue → finishedAt in the row: ${sec(product.dbQueueToFinishS)} s; database prepare (not counted): ${sec(product.prepareS)} s`,
      `- product phases (run.timings): ${phases}`,
      `- product stats: ${JSON.stringify(product.stats)}; eval loss ${product.evalLoss?.toFixed(4) ?? "—"}`,
      `- split: ${splitNote}`,
      ...(fast?.results ?? []).map((r) => `- \`${r.command}\`: supervised ${sec(r.wallS)} s, test ${sec(r.testWallS)} s, N ${r.n}`),
      "",
    ].join("\n");
    process.stdout.write(output);

    const ftVersion = spawnSync("dpkg-query", ["-W", "-f=${Version}", "fasttext"], { encoding: "utf8" });
    const json = {
      at: new Date().toISOString(),
      machine: { loadAvgStart: loadAtStart, loadAvgEnd: load(), cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, node: process.version, platform: `${os.platform()} ${os.release()}` },
      request: REQUEST,
      product,
      fasttext: fast ? { binary: bin, version: ftVersion.status === 0 ? ftVersion.stdout : null, split: fast.split, results: fast.results } : { skipped: "fasttext not installed (apt-get install -y fasttext)" },
      splitCheck: splitNote,
      reference: REFERENCE,
      ratios: Object.fromEntries([...(fast?.results ?? []), ...REFERENCE].map((r) => [r.system, product.wallS / r.wallS])),
      table: lines.join("\n"),
    };
    await mkdir(path.join(root, "bench-results"), { recursive: true });
    await writeFile(path.join(root, "bench-results", "latest.json"), JSON.stringify(json, null, 2) + "\n");
    say(`wrote ${path.join(root, "bench-results", "latest.json")}`);
  }

  if (only === null || only === "encoders") {
    // Imported only now: lib/env.ts must see MODELS_DIR first (set above).
    const { runEncoderBench } = await import("./encoders");
    await runEncoderBench({ root, modelsDir: modelsTmp, pg: pgServer, say });
  }
  if (only === null || only === "shards") {
    const { runShardBench } = await import("./shards");
    await writeResult("shards", await runShardBench({ root, modelsDir: modelsTmp, pg: pgServer, say }));
  }
  if (only === null || only === "fair") {
    const { runFairBench } = await import("./fair");
    await runFairBench({ root, pg: pgServer, say });
  }
  if (only === "scale") {
    const { runScaleBench } = await import("./scale");
    const figures = await runScaleBench({ root, tmp, modelsDir: modelsTmp, pg: pgServer, rows: scaleRows, fastText: scaleFastText, say });
    await writeResult("scale", figures);
  }
  if (only === "queue") {
    const { runQueueBench } = await import("./queue");
    await writeResult("queue", await runQueueBench({ root, pg: pgServer, say }));
  }
  if (only === null || only === "tokenize") {
    const { runTokenizeBench } = await import("./tokenize");
    await runTokenizeBench({ root, say });
  }
  if (only === null || only === "kernels") {
    const { runKernelsBench } = await import("./kernels");
    await writeResult("kernels", await runKernelsBench({ say }));
  }
  if (only === null || only === "quality") {
    const { runQualityBench } = await import("./quality");
    await runQualityBench({ root, tmp, pg: pgServer, say, benchmarks: qualityBenchmarks, seeds: qualitySeeds });
  }
  if (only === null || only === "serving") {
    const { runServingBench } = await import("./serving");
    await writeResult("serving", await runServingBench({ root, tmp, modelsDir: modelsTmp, pg: pgServer, say }));
  }
  if (only === null || only === "live") {
    const { runLiveBench } = await import("./live");
    await writeResult("live", await runLiveBench({ root, modelsDir: modelsTmp, pg: pgServer, say }));
  }
  // the whole result, one JSON object on the last line
  if (Object.keys(lastLine).length) process.stdout.write(JSON.stringify(only ? lastLine[only] : lastLine) + "\n");
} catch (err) {
  say(`bench failed: ${(err as Error).stack ?? err}`);
  process.exitCode = 1;
} finally {
  await db?.$disconnect().catch(() => {});
  await pgServer?.stop().catch((e) => say(`stopping PostgreSQL: ${(e as Error).message}`));
  await rm(tmp, { recursive: true, force: true }).catch(() => {});
}
