// `npm run bench -- --only scale [--rows N]`: the original system's workload at full size. The
// bench builds a table of N rows (default 700,000) in the product's PostgreSQL, as a user's table
// would be, runs the product on it with default arguments in a separate worker process (its peak
// RSS is read from /proc; its log lines on counting, tokenising and training, with the peak memory
// so far, are printed), times the fetch on its own (whole table, and `limit: 20`), and trains
// fastText (`-epoch 5 -thread 2`) on exactly the run's training rows.
//
// The table (synthText): 5 labels; every text is 50–150 words drawn from a shared vocabulary of
// 30,000 generated words (Zipf-like: a few words are very common), with 5 % of its words from
// its label's own 400 topic words and 3 % from the next label's (so labels overlap), and 3 % of
// the rows carry a random label (noise no model can learn). Seeded: the same N gives the same
// table.
import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import type { startEmbeddedPostgres } from "../../lib/db/embedded";
import { peakRssBytes } from "../../lib/process/peak-rss";
import { workerProcessArgs } from "../../lib/process/worker-command";
import { mulberry32 } from "../../lib/training/rng";
import { fasttextPath, runFastTextConfigs } from "./fasttext";

type Pg = Awaited<ReturnType<typeof startEmbeddedPostgres>>;

const LABELS = ["books", "electronics", "food", "travel", "games"];
const GENERIC_WORDS = 30_000;
const TOPIC_WORDS = 400;
const OWN_TOPIC = 0.05;
const NEXT_TOPIC = 0.03;
const LABEL_NOISE = 0.03;
const INSERT_ROWS = 20_000;

/** Pronounceable made-up words, distinct. */
function makeWords(n: number, rng: () => number, taken: Set<string>): string[] {
  const C = "bcdfghjklmnprstvwz";
  const V = "aeiou";
  const out: string[] = [];
  while (out.length < n) {
    const syllables = 1 + Math.floor(rng() * 3);
    let w = "";
    for (let s = 0; s < syllables; s++) w += C[Math.floor(rng() * C.length)] + V[Math.floor(rng() * V.length)] + (rng() < 0.3 ? C[Math.floor(rng() * C.length)] : "");
    if (!taken.has(w)) {
      taken.add(w);
      out.push(w);
    }
  }
  return out;
}

/** Row i of the table (label, text); all rows from one seeded generator, in order. */
function* synthText(rows: number): Generator<{ label: string; text: string }> {
  const rng = mulberry32(20261129);
  const taken = new Set<string>();
  const generic = makeWords(GENERIC_WORDS, rng, taken);
  const topics = LABELS.map(() => makeWords(TOPIC_WORDS, rng, taken));
  const zipf = (n: number) => Math.floor(n * rng() ** 3);
  for (let i = 0; i < rows; i++) {
    const k = Math.floor(rng() * LABELS.length);
    const len = 50 + Math.floor(rng() * 101);
    const words: string[] = new Array(len);
    for (let j = 0; j < len; j++) {
      const u = rng();
      words[j] = u < OWN_TOPIC ? topics[k][zipf(TOPIC_WORDS)] : u < OWN_TOPIC + NEXT_TOPIC ? topics[(k + 1) % LABELS.length][zipf(TOPIC_WORDS)] : generic[zipf(GENERIC_WORDS)];
    }
    const label = rng() < LABEL_NOISE ? LABELS[Math.floor(rng() * LABELS.length)] : LABELS[k];
    yield { label, text: words.join(" ") };
  }
}

/** The fetch timed by ./fetch-alone.ts in a process of its own. */
function fetchAlone(root: string, url: string, spillDir: string): Promise<{ rows: number; wholeS: number; limit20Rows: number; limit20Ms: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "tests", "bench", "fetch-alone.ts"), url, "scale_reviews", spillDir], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err = (err + d).slice(-4000)));
    child.on("error", reject);
    child.on("exit", (code) => {
      const last = out.trim().split("\n").at(-1) ?? "";
      if (code === 0 && last.startsWith("{")) resolve(JSON.parse(last));
      else reject(new Error(`fetch-alone.ts exited ${code}: ${err || out}`));
    });
  });
}

export async function runScaleBench(o: { root: string; tmp: string; modelsDir: string; pg: Pg; rows: number; fastText?: boolean; say: (line: string) => void }): Promise<Record<string, unknown>> {
  const { createDb } = await import("../../lib/db/client");
  const { prepareDatabase } = await import("../../lib/prepare-database");
  const { enqueueRun } = await import("../../lib/runs/web/enqueue");
  const { resolveSource } = await import("../../lib/runs/resolve-request");
  const { fetchLabelledRows } = await import("../../lib/runs/fetch-rows");
  const { TextSpill } = await import("../../lib/runs/text-spill");
  const { RowSet } = await import("../../lib/runs/row-table");
  const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
  await o.pg.ensureDatabase("scale");
  const url = o.pg.urlFor("scale");
  const db = createDb(url, 4);
  const figures: Record<string, unknown> = { rows: o.rows };
  let spill: { keys: InstanceType<typeof TextSpill>; texts: InstanceType<typeof TextSpill> } | null = null;
  try {
    await prepareDatabase(url, { adminEmail: "bench@example.com", adminPassword: "bench-password-1", log: () => {} });
    // the table, as a user's would be
    let t = process.hrtime.bigint();
    await db.$executeRawUnsafe(`CREATE TABLE scale_reviews (id serial PRIMARY KEY, label text NOT NULL, text text NOT NULL)`);
    let labels: string[] = [];
    let texts: string[] = [];
    const flush = async () => {
      await db.$executeRawUnsafe(`INSERT INTO scale_reviews (label, text) SELECT * FROM unnest($1::text[], $2::text[])`, labels, texts);
      labels = [];
      texts = [];
    };
    for (const r of synthText(o.rows)) {
      labels.push(r.label);
      texts.push(r.text);
      if (labels.length === INSERT_ROWS) await flush();
    }
    if (labels.length) await flush();
    // settled as a user's existing table would be (autovacuum's work): the first scan of freshly
    // inserted rows also sets their hint bits and writes their pages back, which a later one does not
    await db.$executeRawUnsafe(`VACUUM ANALYZE scale_reviews`);
    const [{ bytes }] = await db.$queryRawUnsafe<{ bytes: bigint }[]>(`SELECT pg_total_relation_size('scale_reviews') AS bytes`);
    figures.tableBuildS = seconds(t);
    figures.tableBytes = Number(bytes);
    o.say(`  scale: built scale_reviews, ${o.rows} rows, ${(Number(bytes) / 2 ** 20).toFixed(0)} MiB, in ${(figures.tableBuildS as number).toFixed(1)} s`);

    // the fetch alone (the whole table, and limit 20), in a fresh process as the worker runs it
    // (./fetch-alone.ts); this process's live data would make the fetch's collections dearer
    const alone = await fetchAlone(o.root, url, path.join(o.tmp, "scale-spill-alone"));
    figures.fetchAllS = alone.wholeS;
    figures.fetchLimit20Ms = alone.limit20Ms;
    o.say(`  scale: fetch ${alone.rows} rows in ${alone.wholeS.toFixed(2)} s; limit 20 (${alone.limit20Rows} rows) in ${alone.limit20Ms.toFixed(1)} ms (a fresh process, as the worker fetches)`);
    // as the product fetches a big table, for fastText's files: the keys and texts go to spill files as
    // they come (a table of millions of rows would not fit in this process), read back when they are written
    const src = await resolveSource(db, { table: "scale_reviews", columns: { label: "label", text: "text" } });
    if (!src.ok) throw new Error(JSON.stringify(src));
    spill = { keys: new TextSpill(path.join(o.tmp, "scale-spill"), "bench-keys"), texts: new TextSpill(path.join(o.tmp, "scale-spill"), "bench") };
    const spilled = spill;
    t = process.hrtime.bigint();
    const whole = await fetchLabelledRows(db, src.source, { spill: () => spilled });
    figures.fetchInBenchS = seconds(t);
    o.say(`  scale: the same fetch in this process, for fastText's rows: ${(figures.fetchInBenchS as number).toFixed(2)} s`);

    // the product: queue → succeeded, default arguments, in its own worker process
    const worker = spawn(process.execPath, workerProcessArgs(o.root), {
      cwd: o.root,
      env: { ...process.env, DATABASE_URL: url, MODELS_DIR: o.modelsDir },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    worker.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, peakRssBytes(worker.pid!) ?? 0)), 200);
    try {
      t = process.hrtime.bigint();
      const q = await enqueueRun(db, { table: "scale_reviews", columns: "label,text" }, null);
      if (!q.ok) throw new Error(JSON.stringify(q.issues));
      let run;
      for (;;) {
        run = await db.trainingRun.findUniqueOrThrow({ where: { id: q.id } });
        if (!["queued", "running"].includes(run.status)) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      figures.productWallS = seconds(t);
      peak = Math.max(peak, peakRssBytes(worker.pid!) ?? 0);
      figures.workerPeakRssBytes = peak;
      if (run.status !== "succeeded") throw new Error(`run ${run.id} ${run.status}: ${run.error}\n${stderr}`);
      figures.productAccuracy = (run.metricsNew as { accuracy: number }).accuracy;
      figures.timings = run.timings;
      figures.stats = run.stats;
      // the worker's own lines on time and memory per phase
      const notes = await db.runLog.findMany({ where: { runId: run.id, message: { contains: " in " } }, orderBy: { seq: "asc" }, select: { message: true } });
      for (const n of notes) if (/^(Built|Tokenised|Trained|Fetched)/.test(n.message)) o.say(`  scale: worker: ${n.message}`);
      o.say(`  scale: product ${((figures.productAccuracy as number) * 100).toFixed(2)} % in ${(figures.productWallS as number).toFixed(1)} s, worker peak RSS ${(peak / 2 ** 30).toFixed(2)} GiB; phases ${JSON.stringify(run.timings)}`);

      // fastText on the run's own training and test rows
      const bin = o.fastText === false ? null : fasttextPath();
      if (o.fastText === false) o.say("  scale: --fasttext off: fastText not run");
      else if (!bin) o.say("  scale: fastText is not installed; skipping its row (apt-get install -y fasttext)");
      else {
        const test = new Set((await db.runTestRow.findMany({ where: { runId: run.id }, select: { key: true } })).map((r) => r.key));
        const table = whole.rows;
        const inTest = new Uint8Array(table.length);
        for (let from = 0; from < table.length; from += 100_000) {
          const keys = table.keysOf(Int32Array.from({ length: Math.min(table.length, from + 100_000) - from }, (_, k) => from + k));
          keys.forEach((key, k) => (inTest[from + k] = test.has(key) ? 1 : 0));
        }
        const rowsWhere = (v: number) => {
          const at: number[] = [];
          inTest.forEach((x, i) => x === v && at.push(i));
          return new RowSet(table, Int32Array.from(at));
        };
        const split = { train: rowsWhere(0), test: rowsWhere(1) };
        const [f] = await runFastTextConfigs(bin, path.join(o.tmp, "scale-fasttext"), split, [{ name: "fastText 5 ep, 2 threads", args: ["-epoch", "5", "-thread", "2"] }], () => {});
        figures.fasttextS = f.wallS;
        figures.fasttextAccuracy = f.accuracy;
        figures.fasttextRows = { train: split.train.length, test: split.test.length };
        o.say(`  scale: fastText ${((f.accuracy ?? 0) * 100).toFixed(2)} % in ${f.wallS.toFixed(1)} s (supervised, ${split.train.length} training rows)`);
      }
    } finally {
      clearInterval(sampler);
      worker.kill("SIGTERM");
    }
  } finally {
    spill?.keys.close();
    spill?.texts.close();
    await db.$disconnect();
  }
  const f = figures as Record<string, number | undefined>;
  const pct = (x?: number) => (x === undefined ? "—" : `${(x * 100).toFixed(2)} %`);
  const lines = [
    `| figure (${o.rows} rows) | measured | reference (issue) | goal |`,
    "| --- | ---: | ---: | ---: |",
    `| product, queue → succeeded | ${f.productWallS?.toFixed(1)} s | 699 s | ≤ fastText's time |`,
    `| fastText -epoch 5 -thread 2 (supervised) | ${f.fasttextS?.toFixed(1) ?? "—"} s | 57 s | |`,
    `| product ÷ fastText | ${f.productWallS && f.fasttextS ? (f.productWallS / f.fasttextS).toFixed(2) + "×" : "—"} | 12.3× | ≤ 1.0× |`,
    `| accuracy: product / fastText | ${pct(f.productAccuracy)} / ${pct(f.fasttextAccuracy)} | 96.1 % / 95.0 % | product ≥ fastText |`,
    `| worker peak RSS | ${f.workerPeakRssBytes ? (f.workerPeakRssBytes / 2 ** 30).toFixed(2) + " GiB" : "—"} | 1.66 GiB | ≤ 1 GiB |`,
    `| fetch, whole table | ${f.fetchAllS?.toFixed(2)} s | 134 s | ≤ 5 s |`,
    `| fetch, limit 20 | ${f.fetchLimit20Ms?.toFixed(1)} ms | 300 ms | ≤ 50 ms |`,
  ];
  const machine = `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")} at the end`;
  process.stdout.write(["", `## bench: scale, ${machine}`, "", ...lines, ""].join("\n") + "\n");
  return { ...figures, machine, table: lines.join("\n") };
}
