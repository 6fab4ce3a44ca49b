// The encoder part of `npm run bench` (`npm run bench -- --only encoders` runs it alone). Figures and
// ratios only, no pass/fail. run.ts imports this module dynamically, after it has set MODELS_DIR
// (lib/env.ts reads it once), and hands it its temp dir and embedded PostgreSQL server.
//
// (1) Encoding throughput, rows/s, of a synth-bert of BERT-base shape (12 layers, 768 wide,
//     12 heads, 3072 feed-forward, random weights, vocabulary built from the demo corpus exactly as
//     `npm run models -- synth-bert` builds it) at max_length 128 and 512, fp32 and quantized:
//       encode     the product's path: encoder.encode(texts) — tokenisation, batching, feeds,
//                  session.run, mean pooling, order restored
//       encodeIds  the same without tokenisation (ids from encoder.tokenize, outside the timing)
//       bare       a bare onnxruntime-node loop: its own InferenceSession with the encoder's session
//                  options, `session.run(feeds, [output])` over exactly the batches encode() runs
//                  (makeBatches + buildFeeds, feeds built before the timing starts; no pooling)
//     Each figure is measured twice, interleaved (encode, encodeIds, bare, then bare, encodeIds,
//     encode): the better one is reported, with the spread between the two.
// (2) Wall time (queue → succeeded) of a re-train on the whole demo table with default arguments,
//     cold feature cache (fresh database) then warm (the same request again), through the real
//     worker loop. BERT-base would take ~14 min cold on 2 cores, so this uses a SMALLER synth-bert
//     (4 layers, 256 wide, 4 heads, max_length 128, fp32); the output says so.
//
// Prints markdown tables and writes bench-results/encoders.json. The synth-bert folders (~600 MB
// for BERT-base) are written under MODELS_DIR (run.ts's temp dir) and deleted at the end.
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as ort from "onnxruntime-node";
import type { EmbeddedDb } from "../../lib/db/embedded";
import { prepareDatabase } from "../../lib/prepare-database";
import { createDb } from "../../lib/db/client";
import { buildDemoRows } from "../../lib/data/demo-table";
import { buildFeeds } from "../../lib/onnx/feeds";
import { loadEncoder, makeBatches, type Encoder } from "../../lib/encoders/encoder";
import { writeSynthBert } from "../../scripts/lib/synth-bert";
import { enqueueRun } from "../../lib/runs/web/enqueue";
import { startBenchWorker } from "./bench-worker";
import { buildTokenizer } from "../../lib/training/tokenizer-builder";

type Db = ReturnType<typeof createDb>;

export interface EncoderBenchContext {
  /** repository root (bench-results/ goes there) */
  root: string;
  /** MODELS_DIR as lib/env.ts read it (a temp folder) */
  modelsDir: string;
  /** the embedded PostgreSQL server run.ts started; a database of its own is created on it */
  pg: Pick<EmbeddedDb, "ensureDatabase" | "urlFor">;
  say(line: string): void;
}

/** `npm run models -- synth-bert` defaults: BERT-base's shape and bert-base-cased's vocabulary size. */
const BASE = { layers: 12, hidden: 768, heads: 12, intermediate: 3072, maxPosition: 512, seed: 1 };
const SMALL = { layers: 4, hidden: 256, heads: 4, intermediate: 1024, maxPosition: 512, seed: 1 };
const VOCAB_SIZE = 28996;
/** Sample sizes: ~7 rows/s fp32 at 128 tokens on 2 cores keeps part (1) to a few minutes. */
const SAMPLE = { 128: 128, 512: 32 } as const;
const RETRAIN_SETTINGS = { pooling: "mean", maxLength: 128, quantized: false } as const;
const RETRAIN_REQUEST = { model: "bert", table: "demo_email", columns: "label,text" };

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(" ");
const shape = (s: typeof BASE) => `${s.layers} layers, ${s.hidden} wide, ${s.heads} heads, ${s.intermediate} feed-forward`;

interface Timed {
  bestS: number;
  worstS: number;
  rowsPerS: number;
  /** (worst − best) / best */
  spread: number;
}

interface ThroughputRow {
  maxLength: number;
  weights: "fp32" | "quantized (int8 MatMuls)";
  rows: number;
  meanTokens: number;
  batches: number;
  threads: number;
  encode: Timed;
  encodeIds: Timed;
  bare: Timed;
  /** product rows/s ÷ bare rows/s, best against best */
  ratioEncode: number;
  ratioEncodeIds: number;
  /** max |encode − encodeIds| over all features (both are the product's path; 0 expected) */
  maxAbsDiffEncodeVsIds: number;
  /** encoder.tokenize alone on the sample, better of 2: what encode adds to encodeIds */
  tokenizeS: number;
  loadAvg: string;
}

interface RetrainRun {
  runId: string;
  status: string;
  error: string | null;
  wallS: number;
  timings: Record<string, number> | null;
  stats: Record<string, unknown> | null;
  accuracy: number | null;
  parentId: string | null;
}

function timed(times: number[], rows: number): Timed {
  const bestS = Math.min(...times);
  const worstS = Math.max(...times);
  return { bestS, worstS, rowsPerS: rows / bestS, spread: (worstS - bestS) / bestS };
}

async function time(f: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await f();
  return seconds(t);
}

/** The session options loadEncoder uses (lib/encoders/encoder.ts). */
function sessionOptions(threads: number): ort.InferenceSession.SessionOptions {
  return { graphOptimizationLevel: "all", executionMode: "sequential", intraOpNumThreads: threads, interOpNumThreads: 1 };
}

async function measureThroughput(
  dir: string,
  texts: string[],
  maxLength: number,
  quantized: boolean,
  say: (l: string) => void,
): Promise<ThroughputRow> {
  const loadAvg = load();
  const enc: Encoder = await loadEncoder(dir, { quantized });
  const bare = await ort.InferenceSession.create(path.join(dir, "onnx", quantized ? "model_quantized.onnx" : "model.onnx"), sessionOptions(enc.threads));
  try {
    const opts = { pooling: "mean" as const, maxLength };
    let ids: Int32Array[] = [];
    const tokenizeS = Math.min(await time(async () => (ids = await enc.tokenize(texts, maxLength))), await time(() => enc.tokenize(texts, maxLength)));
    const padId = Number((enc.tokenizer as unknown as { pad_token_id?: number }).pad_token_id ?? 0) || 0;
    const batches = makeBatches(ids.map((x) => x.length));
    const feeds = batches.map((b) => buildFeeds(ids, b, bare.inputNames, padId).feeds);
    const output = enc.outputName;

    // Warm-up: a few rows through each session, so that neither pays its first-run allocations in the timing.
    const warm = Int32Array.from({ length: Math.min(8, ids.length) }, (_, i) => i);
    await enc.encodeIds(warm.length ? Array.from(warm, (i) => ids[i]) : [], opts);
    await bare.run(buildFeeds(ids, warm, bare.inputNames, padId).feeds, [output]);

    const label = `max_length ${maxLength}, ${quantized ? "quantized" : "fp32"}`;
    const t = { encode: [] as number[], encodeIds: [] as number[], bare: [] as number[] };
    let fromEncode: Float32Array[] = [];
    let fromIds: Float32Array[] = [];
    const steps = {
      encode: async () => {
        t.encode.push(await time(async () => (fromEncode = await enc.encode(texts, opts))));
      },
      encodeIds: async () => {
        t.encodeIds.push(await time(async () => (fromIds = await enc.encodeIds(ids, opts))));
      },
      bare: async () => {
        t.bare.push(
          await time(async () => {
            for (const f of feeds) {
              const r = await bare.run(f, [output]);
              r[output]?.dispose?.();
            }
          }),
        );
      },
    };
    const order: (keyof typeof steps)[][] = [
      ["encode", "encodeIds", "bare"],
      ["bare", "encodeIds", "encode"],
    ];
    for (const [rep, names] of order.entries()) {
      for (const name of names) {
        await steps[name]();
        const s = t[name].at(-1)!;
        say(`    ${label}, rep ${rep + 1}: ${name} ${s.toFixed(2)} s (${(texts.length / s).toFixed(2)} rows/s)`);
      }
    }
    let maxAbsDiff = 0;
    for (let i = 0; i < fromEncode.length; i++) {
      const a = fromEncode[i];
      const b = fromIds[i];
      for (let h = 0; h < a.length; h++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a[h] - b[h]));
    }
    const encode = timed(t.encode, texts.length);
    const encodeIds = timed(t.encodeIds, texts.length);
    const bareT = timed(t.bare, texts.length);
    return {
      maxLength,
      weights: quantized ? "quantized (int8 MatMuls)" : "fp32",
      rows: texts.length,
      meanTokens: ids.reduce((s, x) => s + x.length, 0) / ids.length,
      batches: batches.length,
      threads: enc.threads,
      encode,
      encodeIds,
      bare: bareT,
      ratioEncode: encode.rowsPerS / bareT.rowsPerS,
      ratioEncodeIds: encodeIds.rowsPerS / bareT.rowsPerS,
      maxAbsDiffEncodeVsIds: maxAbsDiff,
      tokenizeS,
      loadAvg,
    };
  } finally {
    await bare.release();
    await enc.close();
  }
}

/** `count` texts spread evenly over `pool` (deterministic). */
function evenly<T>(pool: T[], count: number): T[] {
  if (pool.length <= count) return pool.slice();
  return Array.from({ length: count }, (_, i) => pool[Math.floor((i * pool.length) / count)]);
}

async function retrainRun(db: Db): Promise<RetrainRun> {
  const t = process.hrtime.bigint();
  const queued = await enqueueRun(db, RETRAIN_REQUEST, null);
  if (!queued.ok) throw new Error(`enqueueRun refused the request: ${JSON.stringify(queued.issues)}`);
  let run;
  for (;;) {
    run = await db.trainingRun.findUniqueOrThrow({ where: { id: queued.id } });
    if (run.status !== "queued" && run.status !== "running") break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const wallS = seconds(t);
  const version = run.candidateVersionId ? await db.modelVersion.findUnique({ where: { id: run.candidateVersionId } }) : null;
  return {
    runId: run.id,
    status: run.status,
    error: run.error,
    wallS,
    timings: run.timings as Record<string, number> | null,
    stats: run.stats as Record<string, unknown> | null,
    accuracy: (run.metricsNew as { accuracy?: number } | null)?.accuracy ?? null,
    parentId: version?.parentId ?? null,
  };
}

const PHASE_ORDER = ["fetching", "encoding", "evaluating-old", "tokenizing", "training", "evaluating-new", "saving", "total"];
const phasesOf = (timings: Record<string, number> | null) =>
  timings
    ? Object.entries(timings)
        .sort(([a], [b]) => (PHASE_ORDER.indexOf(a) + 1 || 99) - (PHASE_ORDER.indexOf(b) + 1 || 99))
        .map(([k, v]) => `${k} ${v.toFixed(2)} s`)
        .join(", ")
    : "—";

async function dirMB(dir: string): Promise<number> {
  let bytes = 0;
  for (const f of ["onnx/model.onnx", "onnx/model_quantized.onnx"]) bytes += await stat(path.join(dir, f)).then((s) => s.size, () => 0);
  return bytes / 1e6;
}

export async function runEncoderBench(ctx: EncoderBenchContext): Promise<void> {
  const { say } = ctx;
  const loadAtStart = load();
  const cpu = `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"})`;
  const baseDir = path.join(ctx.modelsDir, "bench-bert-base");
  const smallName = "bench-bert-small";
  const smallDir = path.join(ctx.modelsDir, smallName);
  const started = process.hrtime.bigint();
  try {
    say(`encoders bench: ${cpu}, node ${process.version}, onnxruntime-node ${ort.env.versions?.node ?? "?"}; load average ${loadAtStart}`);
    // The vocabulary exactly as `npm run models -- synth-bert` builds it without --vocab-from.
    let t = process.hrtime.bigint();
    const demo = await buildDemoRows();
    const demoTexts = demo.map((r) => r.text);
    const { vocab } = buildTokenizer(demoTexts, { vocabSize: VOCAB_SIZE, minCount: 2, lowercase: false });
    say(`  ${demo.length} demo rows, vocabulary of ${vocab.length} tokens in ${seconds(t).toFixed(1)} s`);

    // --- (1) throughput ------------------------------------------------------------------------
    t = process.hrtime.bigint();
    await writeSynthBert(baseDir, { ...BASE, vocab, quantized: true });
    const baseBuildS = seconds(t);
    const baseMB = await dirMB(baseDir);
    say(`  wrote synth-bert BERT-base shape (${shape(BASE)}) to ${baseDir}: ${baseMB.toFixed(0)} MB of ONNX in ${baseBuildS.toFixed(1)} s`);

    // Samples: 128 texts spread over the demo table; 32 texts that are at least 512 tokens long.
    const probe = await loadEncoder(baseDir, { quantized: true });
    let long: string[];
    try {
      const candidates = demoTexts.filter((x) => x.length >= 1500);
      const ids = await probe.tokenize(candidates, 512);
      long = candidates.filter((_, i) => ids[i].length >= 512);
    } finally {
      await probe.close();
    }
    const samples: Record<128 | 512, string[]> = { 128: evenly(demoTexts, SAMPLE[128]), 512: evenly(long, SAMPLE[512]) };
    say(`  samples: ${samples[128].length} demo texts at max_length 128; ${samples[512].length} of the ${long.length} demo texts that are ≥ 512 tokens at max_length 512`);

    const throughput: ThroughputRow[] = [];
    for (const maxLength of [128, 512] as const) {
      for (const quantized of [false, true]) {
        say(`  throughput: max_length ${maxLength}, ${quantized ? "quantized" : "fp32"} (load average ${load()})`);
        throughput.push(await measureThroughput(baseDir, samples[maxLength], maxLength, quantized, say));
      }
    }
    const throughputS = seconds(started);
    await rm(baseDir, { recursive: true, force: true });

    // --- (2) re-train, cold cache vs warm ------------------------------------------------------
    t = process.hrtime.bigint();
    await writeSynthBert(smallDir, { ...SMALL, vocab, quantized: false });
    say(`  wrote the smaller synth-bert (${shape(SMALL)}) to ${smallDir} in ${seconds(t).toFixed(1)} s`);
    await ctx.pg.ensureDatabase("bench_encoders");
    const url = ctx.pg.urlFor("bench_encoders");
    t = process.hrtime.bigint();
    await prepareDatabase(url, { adminEmail: "bench@example.com", adminPassword: "bench-password-1", log: (l) => say(`  [prepare] ${l}`) });
    say(`  prepared a fresh database (empty feature cache) in ${seconds(t).toFixed(1)} s`);
    const db = createDb(url, 4);
    const runs: { cold?: RetrainRun; warm?: RetrainRun } = {};
    const loads: { cold?: string; warm?: string } = {};
    try {
      await db.model.create({ data: { name: "bert", kind: "encoder", basePath: smallName, config: { ...RETRAIN_SETTINGS } } });
      const worker = await startBenchWorker(db, url, say);
      try {
        for (const which of ["cold", "warm"] as const) {
          loads[which] = load();
          say(`  re-train, ${which} cache (load average ${loads[which]})`);
          runs[which] = await retrainRun(db);
          if (runs[which]!.status !== "succeeded") say(`  run ${runs[which]!.runId} ended ${runs[which]!.status}: ${runs[which]!.error}`);
        }
      } finally {
        await worker.stop();
      }
    } finally {
      await db.$disconnect().catch(() => {});
    }
    const cold = runs.cold!;
    const warm = runs.warm!;

    // --- output --------------------------------------------------------------------------------
    const f2 = (x: number) => x.toFixed(2);
    const pctS = (x: number) => `${(x * 100).toFixed(0)} %`;
    const t1: string[] = [
      `| max_length | weights | rows (mean tokens) | batches | encode rows/s (spread) | encodeIds rows/s (spread) | bare session.run rows/s (spread) | encode ÷ bare | encodeIds ÷ bare |`,
      `| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
      ...throughput.map(
        (r) =>
          `| ${r.maxLength} | ${r.weights} | ${r.rows} (${r.meanTokens.toFixed(0)}) | ${r.batches} | ${f2(r.encode.rowsPerS)} (${pctS(r.encode.spread)}) | ` +
          `${f2(r.encodeIds.rowsPerS)} (${pctS(r.encodeIds.spread)}) | ${f2(r.bare.rowsPerS)} (${pctS(r.bare.spread)}) | ${f2(r.ratioEncode)} | ${f2(r.ratioEncodeIds)} |`,
      ),
    ];
    const statsOf = (r: RetrainRun) => {
      const s = r.stats as { encodedRows?: number; cachedRows?: number } | null;
      return `${s?.encodedRows ?? "—"} / ${s?.cachedRows ?? "—"}`;
    };
    const t2: string[] = [
      `| re-train on demo_email, default arguments | status | wall time (s) | encodedRows / cachedRows | accuracy | cold ÷ this |`,
      `| --- | --- | ---: | ---: | ---: | ---: |`,
      ...(
        [
          ["cold cache (fresh database)", cold],
          ["warm cache (same request again)", warm],
        ] as const
      ).map(
        ([name, r]) =>
          `| ${name} | ${r.status} | ${f2(r.wallS)} | ${statsOf(r)} | ${r.accuracy == null ? "—" : `${(r.accuracy * 100).toFixed(2)} %`} | ${f2(cold.wallS / r.wallS)}× |`,
      ),
    ];
    const output = [
      "",
      `## bench: encoders, ${cpu}; load average ${loadAtStart} at start, ${load()} at end (other work on the machine skews every figure)`,
      "",
      `### Encoding throughput: synth-bert of BERT-base shape (${shape(BASE)}; random weights), mean pooling, ${throughput[0]?.threads ?? "?"} intra-op threads`,
      "",
      ...t1,
      "",
      `- encode: the product's encoder.encode (tokenisation included); encodeIds: encoder.encodeIds on ids tokenised beforehand; bare: its own onnxruntime-node session with the same options, session.run over the same makeBatches/buildFeeds batches (feeds built before timing, no pooling).`,
      `- each figure is the better of 2 interleaved runs; spread = (slower − faster) ÷ faster. Ratios are product rows/s ÷ bare rows/s (goal ≥ 0.9).`,
      `- tokenisation alone (encoder.tokenize on the sample, better of 2), the only work encode does beyond encodeIds: ${throughput.map((r) => `${r.maxLength}/${r.weights.split(" ")[0]} ${r.tokenizeS.toFixed(3)} s`).join(", ")}`,
      `- encode vs encodeIds features, max |difference|: ${throughput.map((r) => `${r.maxLength}/${r.weights.split(" ")[0]} ${r.maxAbsDiffEncodeVsIds.toExponential(1)}`).join(", ")}`,
      `- load average when each row started: ${throughput.map((r) => `${r.maxLength}/${r.weights.split(" ")[0]} ${r.loadAvg}`).join("; ")}`,
      `- ONNX files ${baseMB.toFixed(0)} MB (model.onnx + model_quantized.onnx), written in ${baseBuildS.toFixed(1)} s, deleted afterwards; part (1) took ${throughputS.toFixed(0)} s in all.`,
      "",
      `### Re-train, cold vs warm feature cache: a SMALLER synth-bert (${shape(SMALL)}; max_length 128, fp32), not BERT-base (BERT-base would take ~14 min cold on 2 cores)`,
      "",
      ...t2,
      "",
      `- cold: run ${cold.runId}, phases: ${phasesOf(cold.timings)}; load average at its start ${loads.cold}`,
      `- warm: run ${warm.runId}, phases: ${phasesOf(warm.timings)}; load average at its start ${loads.warm}${warm.parentId ? `; head fine-tuned from the version of run ${cold.runId}` : "; a new head again (no version serves: the cold run's candidate is not promoted in between)"}`,
      ...(cold.error || warm.error ? [`- errors: ${[cold.error, warm.error].filter(Boolean).join("; ")}`] : []),
      "",
    ].join("\n");
    process.stdout.write(output);

    const json = {
      at: new Date().toISOString(),
      machine: { loadAvgStart: loadAtStart, loadAvgEnd: load(), cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, node: process.version, platform: `${os.platform()} ${os.release()}` },
      throughput: { model: { ...BASE, vocab: vocab.length, onnxMB: baseMB, buildS: baseBuildS }, rows: throughput },
      retrain: { model: { ...SMALL, vocab: vocab.length, ...RETRAIN_SETTINGS }, request: RETRAIN_REQUEST, cold, warm, coldOverWarm: cold.wallS / warm.wallS, loadAvg: loads },
      tables: { throughput: t1.join("\n"), retrain: t2.join("\n") },
    };
    await mkdir(path.join(ctx.root, "bench-results"), { recursive: true });
    await writeFile(path.join(ctx.root, "bench-results", "encoders.json"), JSON.stringify(json, null, 2) + "\n");
    say(`wrote ${path.join(ctx.root, "bench-results", "encoders.json")} (encoders bench took ${seconds(started).toFixed(0)} s)`);
  } finally {
    await rm(baseDir, { recursive: true, force: true }).catch(() => {});
    await rm(smallDir, { recursive: true, force: true }).catch(() => {});
  }
}
