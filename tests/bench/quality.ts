// `npm run bench -- --only quality`: accuracy across text lengths, the starter model next to
// fastText with its sub-word and word-pair settings, on the same rows. Three benchmarks are cut
// from demo_email (ham vs spam), each its own table, as a user's table would be:
//   short  — the first three words of each e-mail's subject (1–3 words);
//   medium — the whole subject line (a sentence-length text);
//   long   — the e-mail body's first 150 words (whole e-mails make fastText's sub-word runs take
//            minutes each on two cores).
// Each is split at random (stratified, p_of_train 0.8) with seeds 1, 2 and 3; the product runs
// through the real worker (queue → succeeded), fastText trains on exactly the run's training rows.
// Prints mean accuracy (± standard deviation over the seeds) and mean training wall time.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { startEmbeddedPostgres } from "../../lib/db/embedded";
import { fasttextPath, runFastTextConfigs, type FastTextConfig } from "./fasttext";

type Pg = Awaited<ReturnType<typeof startEmbeddedPostgres>>;

const BENCHMARKS = [
  { name: "short (first 3 words of the subject)", table: "q_short", sql: `array_to_string((regexp_split_to_array(btrim(subject), '\\s+'))[1:3], ' ')` },
  { name: "medium (subject line)", table: "q_medium", sql: `btrim(subject)` },
  { name: "long (e-mail body, first 150 words)", table: "q_long", sql: `array_to_string((regexp_split_to_array(btrim(text), '\s+'))[1:150], ' ')` },
];
const SEEDS = [1, 2, 3];
/** The starter's variants: request arguments added to the run (the product's defaults first). */
const VARIANTS: { name: string; args: Record<string, unknown> }[] = [
  { name: "starter, defaults", args: {} },
  { name: "starter, words only (minn 0, word_ngrams 1)", args: { minn: 0, word_ngrams: 1 } },
  { name: "starter, character n-grams only (word_ngrams 1)", args: { word_ngrams: 1 } },
  { name: "starter, word pairs only (minn 0)", args: { minn: 0 } },
];
const FASTTEXT: FastTextConfig[] = [
  { name: "fastText 5 ep, words only", args: ["-epoch", "5", "-thread", "2"] },
  { name: "fastText 25 ep, -minn 2 -maxn 5", args: ["-epoch", "25", "-minn", "2", "-maxn", "5", "-thread", "2"] },
  { name: "fastText 25 ep, -minn 2 -maxn 5 -wordNgrams 2", args: ["-epoch", "25", "-minn", "2", "-maxn", "5", "-wordNgrams", "2", "-thread", "2"] },
];

interface Cell {
  accuracy: number[];
  seconds: number[];
}

export async function runQualityBench(o: { root: string; tmp: string; pg: Pg; say: (line: string) => void }): Promise<void> {
  const { createDb } = await import("../../lib/db/client");
  const { prepareDatabase } = await import("../../lib/prepare-database");
  const { enqueueRun } = await import("../../lib/runs/web/enqueue");
  const { startBenchWorker } = await import("./bench-worker");
  await o.pg.ensureDatabase("quality");
  const url = o.pg.urlFor("quality");
  const db = createDb(url, 4);
  await prepareDatabase(url, { adminEmail: "bench@example.com", adminPassword: "bench-password-1", log: () => {} });
  const worker = await startBenchWorker(db, url, () => {});
  const bin = fasttextPath();
  if (!bin) o.say("  fastText is not installed; skipping its rows (apt-get install -y fasttext)");
  const cells = new Map<string, Cell>();
  const add = (bench: string, system: string, accuracy: number, seconds: number) => {
    const k = `${bench}\u001f${system}`;
    const c = cells.get(k) ?? { accuracy: [], seconds: [] };
    c.accuracy.push(accuracy);
    c.seconds.push(seconds);
    cells.set(k, c);
  };
  try {
    for (const b of BENCHMARKS) {
      await db.$executeRawUnsafe(`CREATE TABLE ${b.table} AS SELECT id, label, ${b.sql} AS text FROM demo_email WHERE ${b.sql} <> ''`);
      await db.$executeRawUnsafe(`ALTER TABLE ${b.table} ADD PRIMARY KEY (id)`);
      for (const seed of SEEDS) {
        let runId = "";
        for (const v of VARIANTS) {
          const t0 = Date.now();
          const q = await enqueueRun(db, { table: b.table, columns: "label,text", split: "random", seed, ...v.args }, null);
          if (!q.ok) throw new Error(JSON.stringify(q.issues));
          let r;
          for (;;) {
            r = await db.trainingRun.findUniqueOrThrow({ where: { id: q.id } });
            if (r.status !== "queued" && r.status !== "running") break;
            await new Promise((res) => setTimeout(res, 50));
          }
          if (r.status !== "succeeded") throw new Error(`run ${r.id} ${r.status}: ${r.error}`);
          add(b.name, `${v.name} (queue → succeeded)`, (r.metricsNew as { accuracy: number }).accuracy, (Date.now() - t0) / 1000);
          runId ||= r.id;
          o.say(`  quality: ${b.name}, seed ${seed}, ${v.name}: ${((r.metricsNew as { accuracy: number }).accuracy * 100).toFixed(2)} % in ${((Date.now() - t0) / 1000).toFixed(1)} s (training ${(r.timings as Record<string, number> | null)?.training?.toFixed(1) ?? "?"} s)`);
        }
        if (!bin) continue;
        // fastText on the run's own training and test rows (the scored test rows are in RunTestRow; the rest trained)
        const test = new Set((await db.runTestRow.findMany({ where: { runId }, select: { key: true } })).map((r) => r.key));
        const rows = await db.$queryRawUnsafe<{ id: number; label: string; text: string }[]>(`SELECT id, label, text FROM ${b.table} ORDER BY id`);
        const split = { train: rows.filter((r) => !test.has(String(r.id))), test: rows.filter((r) => test.has(String(r.id))) };
        for (const f of await runFastTextConfigs(bin, path.join(o.tmp, "quality", `${b.table}-${seed}`), split, FASTTEXT, () => {})) {
          if (f.accuracy !== null) add(b.name, f.system, f.accuracy, f.wallS);
          o.say(`  quality: ${b.name}, seed ${seed}, ${f.system}: ${f.accuracy === null ? "—" : `${(f.accuracy * 100).toFixed(2)} %`} in ${f.wallS.toFixed(1)} s`);
        }
      }
    }
  } finally {
    await worker.stop();
    await db.$disconnect();
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
  const lines = ["| benchmark | system | accuracy (mean ± sd, 3 seeds) | training wall time (s, mean) |", "| --- | --- | ---: | ---: |"];
  for (const [k, c] of cells) {
    const [bench, system] = k.split("\u001f");
    lines.push(`| ${bench} | ${system} | ${(mean(c.accuracy) * 100).toFixed(2)} % ± ${(sd(c.accuracy) * 100).toFixed(2)} | ${mean(c.seconds).toFixed(2)} |`);
  }
  process.stdout.write(["", "## bench: quality across text lengths (demo_email: ham vs spam)", "", ...lines, ""].join("\n") + "\n");
  await mkdir(path.join(o.root, "bench-results"), { recursive: true });
  await writeFile(path.join(o.root, "bench-results", "quality.json"), JSON.stringify({ at: new Date().toISOString(), cells: Object.fromEntries(cells), table: lines.join("\n") }, null, 2) + "\n");
}
