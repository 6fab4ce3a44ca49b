// `npm run bench -- --only shards`: encoding spread over workers. Figures only, no pass/fail.
//
// (1) One encoder run on the first ROWS rows of the demo table (a smaller synth-bert: 4 layers,
//     256 wide, max_length 128, fp32; cold feature cache each time), with real worker processes
//     (`npm run worker`'s command) on one embedded PostgreSQL:
//       unsharded   1 worker, ENCODE_SHARD_ROWS=0 (the run's own worker encodes every text)
//       1 worker    ENCODE_SHARD_ROWS=SHARD_ROWS (the owner encodes every shard itself)
//       2 workers   the same, with a second, idle worker taking shards
//     Reported: the run's encoding phase (its timings), the whole run, and who encoded which shard.
//     On a 2-core machine two workers share the same cores (each encoder uses every core), so the
//     gain is small there; the design is for workers on separate machines.
// (2) The per-row encoding cost of a BERT-base-shaped synth-bert (12 layers, 768 wide, max_length
//     128, fp32) on this machine, and from it the estimate for 700,000 rows on N such machines, with
//     the sharding overhead per shard measured in (1).
//
// Prints a markdown table and returns the figures (run.ts writes bench-results/shards.json and the
// last-line JSON).
import { spawn, type ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { EmbeddedDb } from "../../lib/db/embedded";
import { prepareDatabase } from "../../lib/prepare-database";
import { createDb } from "../../lib/db/client";
import { buildDemoRows } from "../../lib/data/demo-table";
import { loadEncoder } from "../../lib/encoders/encoder";
import { writeSynthBert } from "../../scripts/lib/synth-bert";
import { enqueueRun } from "../../lib/runs/web/enqueue";
import { buildTokenizer } from "../../lib/training/tokenizer-builder";
import { workerProcessArgs } from "../../lib/process/worker-command";
import type { RunStats, ShardStat } from "../../lib/runs/types";
import { waitForRunEnd } from "./bench-worker";

type Db = ReturnType<typeof createDb>;

export interface ShardBenchContext {
  root: string;
  modelsDir: string;
  pg: Pick<EmbeddedDb, "ensureDatabase" | "urlFor">;
  say(line: string): void;
}

const ROWS = 2000;
const SHARD_ROWS = 200;
const SCALE_ROWS = 700_000;
const MACHINES = [1, 2, 4, 8, 16];
const SMALL = { layers: 4, hidden: 256, heads: 4, intermediate: 1024, maxPosition: 512, seed: 1 };
const BASE = { layers: 12, hidden: 768, heads: 12, intermediate: 3072, maxPosition: 512, seed: 1 };
const BASE_SAMPLE = 64;
const VOCAB_SIZE = 28996;

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

interface Config {
  name: string;
  workers: number;
  shardRows: number;
}

interface ConfigResult extends Config {
  runId: string;
  status: string;
  error: string | null;
  encodingS: number | null;
  runS: number;
  encodedRows: number | null;
  shards: ShardStat[];
}

export type ShardBenchFigures = {
  rows: number;
  shardRows: number;
  cpus: number;
  configs: ConfigResult[];
  twoOverOne: number | null;
  overheadPerShardS: number | null;
  baseSecondsPerRow: number;
  estimate700k: { machines: number; hours: number }[];
};

function startWorkers(n: number, env: Record<string, string>, say: (l: string) => void): ChildProcess[] {
  return Array.from({ length: n }, (_, i) => {
    const child = spawn(process.execPath, workerProcessArgs(process.cwd()), { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const echo = (d: Buffer) => {
      for (const line of d.toString().split("\n")) if (line && !/\] step \d+\//.test(line)) say(`  [worker ${i + 1}] ${line}`);
    };
    child.stdout!.on("data", echo);
    child.stderr!.on("data", echo);
    return child;
  });
}

async function stopWorkers(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once("exit", () => resolve());
          c.kill("SIGTERM");
        }),
    ),
  );
}

async function runConfig(db: Db, url: string, modelsDir: string, c: Config, say: (l: string) => void): Promise<ConfigResult> {
  await db.featureCache.deleteMany();
  const children = startWorkers(c.workers, { DATABASE_URL: url, MODELS_DIR: modelsDir, ENCODE_SHARD_ROWS: String(c.shardRows) }, say);
  try {
    for (let i = 0; i < 1200 && (await db.worker.count()) < c.workers; i++) await new Promise((r) => setTimeout(r, 50));
    const t = process.hrtime.bigint();
    const queued = await enqueueRun(db, { model: "bert-small", table: "demo_email", columns: "label,text", limit: ROWS, seed: 1 }, null);
    if (!queued.ok) throw new Error(`enqueueRun refused the request: ${JSON.stringify(queued.issues)}`);
    const run = await waitForRunEnd(db, queued.id);
    const stats = run.stats as RunStats | null;
    return {
      ...c,
      runId: run.id,
      status: run.status,
      error: run.error,
      encodingS: (run.timings as Record<string, number> | null)?.encoding ?? null,
      runS: seconds(t),
      encodedRows: stats?.encodedRows ?? null,
      shards: stats?.encodeShards ?? [],
    };
  } finally {
    await stopWorkers(children);
    await db.worker.deleteMany();
  }
}

export async function runShardBench(ctx: ShardBenchContext): Promise<ShardBenchFigures> {
  const { say } = ctx;
  const cpu = `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"})`;
  const smallDir = path.join(ctx.modelsDir, "bench-shards-small");
  const baseDir = path.join(ctx.modelsDir, "bench-shards-base");
  const started = process.hrtime.bigint();
  try {
    say(`shards bench: ${cpu}, node ${process.version}`);
    const demoTexts = (await buildDemoRows()).map((r) => r.text);
    const { vocab } = buildTokenizer(demoTexts, { vocabSize: VOCAB_SIZE, minCount: 2, lowercase: false });

    // --- (2) first: BERT-base's per-row cost on this machine ------------------------------------
    await writeSynthBert(baseDir, { ...BASE, vocab, quantized: false });
    const enc = await loadEncoder(baseDir);
    const sample = Array.from({ length: BASE_SAMPLE }, (_, i) => demoTexts[Math.floor((i * demoTexts.length) / BASE_SAMPLE)]);
    let baseSecondsPerRow: number;
    try {
      await enc.encode(sample.slice(0, 8), { pooling: "mean", maxLength: 128 }); // warm-up
      const t = process.hrtime.bigint();
      await enc.encode(sample, { pooling: "mean", maxLength: 128 });
      baseSecondsPerRow = seconds(t) / sample.length;
    } finally {
      await enc.close();
      await rm(baseDir, { recursive: true, force: true });
    }
    say(`  BERT-base shape, max_length 128, fp32: ${(1 / baseSecondsPerRow).toFixed(1)} rows/s on this machine (${BASE_SAMPLE} demo texts)`);

    // --- (1) one run, unsharded / 1 worker / 2 workers ----------------------------------------
    await writeSynthBert(smallDir, { ...SMALL, vocab, quantized: false });
    await ctx.pg.ensureDatabase("bench_shards");
    const url = ctx.pg.urlFor("bench_shards");
    await prepareDatabase(url, { adminEmail: "bench@example.com", adminPassword: "bench-password-1", log: (l) => say(`  [prepare] ${l}`) });
    const db = createDb(url, 4);
    const configs: ConfigResult[] = [];
    try {
      await db.model.create({ data: { name: "bert-small", kind: "encoder", basePath: path.basename(smallDir), config: { pooling: "mean", maxLength: 128, quantized: false } } });
      for (const c of [
        { name: "unsharded (ENCODE_SHARD_ROWS=0)", workers: 1, shardRows: 0 },
        { name: `1 worker, shards of ${SHARD_ROWS}`, workers: 1, shardRows: SHARD_ROWS },
        { name: `2 workers, shards of ${SHARD_ROWS}`, workers: 2, shardRows: SHARD_ROWS },
      ]) {
        say(`  ${c.name} (load average ${os.loadavg()[0].toFixed(2)})`);
        configs.push(await runConfig(db, url, ctx.modelsDir, c, say));
      }
    } finally {
      await db.$disconnect().catch(() => {});
    }

    const [unsharded, one, two] = configs;
    const shardCount = Math.ceil(ROWS / SHARD_ROWS);
    const overheadPerShardS = unsharded.encodingS != null && one.encodingS != null ? (one.encodingS - unsharded.encodingS) / shardCount : null;
    const twoOverOne = one.encodingS && two.encodingS ? one.encodingS / two.encodingS : null;
    const shardsAt700k = Math.ceil(SCALE_ROWS / 1000); // the default ENCODE_SHARD_ROWS
    const estimate700k = MACHINES.map((machines) => ({
      machines,
      hours: (SCALE_ROWS * baseSecondsPerRow + Math.max(0, overheadPerShardS ?? 0) * shardsAt700k) / machines / 3600,
    }));

    const f1 = (x: number | null) => (x == null ? "—" : x.toFixed(1));
    const who = (r: ConfigResult) => {
      const by = new Map<string, number>();
      for (const s of r.shards) by.set(s.workerId, (by.get(s.workerId) ?? 0) + 1);
      return r.shards.length ? [...by.values()].map((n) => `${n}`).join(" + ") + " shards" : "—";
    };
    const lines = [
      "",
      `## bench: encoding spread over workers, ${cpu}; ${ROWS} demo rows, smaller synth-bert (${SMALL.layers} layers, ${SMALL.hidden} wide), max_length 128, cold cache`,
      "",
      `| configuration | status | encoding phase (s) | whole run (s) | texts encoded | shards per worker |`,
      `| --- | --- | ---: | ---: | ---: | --- |`,
      ...configs.map((r) => `| ${r.name} | ${r.status} | ${f1(r.encodingS)} | ${f1(r.runS)} | ${r.encodedRows ?? "—"} | ${who(r)} |`),
      "",
      `- 2 workers vs 1 (encoding phase): ${twoOverOne == null ? "—" : `${twoOverOne.toFixed(2)}×`} faster; both workers run on the same ${os.cpus().length} cores here, each encoder using all of them.`,
      `- sharding overhead (1 worker with shards − unsharded) ÷ ${shardCount} shards: ${overheadPerShardS == null ? "—" : `${(overheadPerShardS * 1000).toFixed(0)} ms per shard`}`,
      `- BERT-base shape (12 layers, 768 wide, fp32, max_length 128) on this machine: ${(1 / baseSecondsPerRow).toFixed(1)} rows/s (${BASE_SAMPLE} demo texts).`,
      `- estimate for ${SCALE_ROWS.toLocaleString("en")} uncached texts, BERT-base, N machines like this one (shards of 1,000): ${estimate700k.map((e) => `${e.machines}: ${e.hours.toFixed(1)} h`).join(", ")}`,
      ...configs.filter((r) => r.error).map((r) => `- ${r.name}: ${r.error}`),
      "",
    ];
    process.stdout.write(lines.join("\n"));
    say(`shards bench took ${seconds(started).toFixed(0)} s`);
    return { cpus: os.cpus().length, rows: ROWS, shardRows: SHARD_ROWS, configs, twoOverOne, overheadPerShardS, baseSecondsPerRow, estimate700k };
  } finally {
    await rm(smallDir, { recursive: true, force: true }).catch(() => {});
    await rm(baseDir, { recursive: true, force: true }).catch(() => {});
  }
}
