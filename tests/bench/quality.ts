// `npm run bench -- --only quality`: accuracy across text lengths, the starter model next to
// fastText with its sub-word and word-pair settings, on the same rows. Four benchmarks, each its
// own table, as a user's table would be:
//   word   — one word per row, labelled with its language (English, French, German, Spanish, from
//            Debian's word lists; see languageWords): every test word is unseen in training, so
//            only its spelling can tell (whole-word models are at chance there);
// and three cut from demo_email (ham vs spam):
//   short  — the first three words of each e-mail's subject (1–3 words);
//   medium — the whole subject line (a sentence-length text);
//   long   — the e-mail body's first 150 words (whole e-mails make fastText's sub-word runs take
//            minutes each on two cores).
// Each is split at random (stratified, p_of_train 0.8) with seeds 1, 2 and 3; the product runs
// through the real worker (queue → succeeded), fastText trains on exactly the run's training rows.
// Prints mean accuracy (± standard deviation over the seeds) and mean training wall time.
// `--benchmarks word,short` and `--seeds 1` narrow it.
import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { startEmbeddedPostgres } from "../../lib/db/embedded";
import { arrayRows, fasttextPath, runFastTextConfigs, type FastTextConfig } from "./fasttext";

type Pg = Awaited<ReturnType<typeof startEmbeddedPostgres>>;

/** Debian's word lists (apt-get install -y wamerican wfrench wngerman wspanish): the word benchmark's languages. */
const WORD_LISTS = { english: "american-english", french: "french", german: "ngerman", spanish: "spanish" };
const WORDS_PER_LANGUAGE = 2000;

/**
 * 8,000 rows of one word each, labelled with its language: words of 4–20 letters that only one of
 * the four lists has, lowercased, 2,000 per language, picked by the md5 of the word (deterministic).
 * Each word occurs once, so every test word is unseen in training.
 */
async function languageWords(): Promise<{ label: string; text: string }[] | null> {
  const rows: { label: string; text: string }[] = [];
  const lists = new Map<string, Set<string>>();
  for (const [label, file] of Object.entries(WORD_LISTS)) {
    const text = await readFile(path.join("/usr/share/dict", file), "utf8").catch(() => null);
    if (text === null) return null;
    lists.set(label, new Set(text.split("\n").filter((w) => /^\p{L}{4,20}$/u.test(w)).map((w) => w.toLowerCase())));
  }
  const md5 = (w: string) => createHash("md5").update(w).digest("hex");
  for (const [label, words] of lists) {
    const own = [...words].filter((w) => [...lists].every(([l, other]) => l === label || !other.has(w))).map((w) => [md5(w), w]);
    own.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    for (const [, w] of own.slice(0, WORDS_PER_LANGUAGE)) rows.push({ label, text: w });
  }
  return rows;
}

const BENCHMARKS = [
  { key: "word", name: "word (one word: its language, 4 labels)", table: "q_word", rows: languageWords },
  { key: "short", name: "short (first 3 words of the subject)", table: "q_short", sql: `array_to_string((regexp_split_to_array(btrim(subject), '\\s+'))[1:3], ' ')` },
  { key: "medium", name: "medium (subject line)", table: "q_medium", sql: `btrim(subject)` },
  { key: "long", name: "long (e-mail body, first 150 words)", table: "q_long", long: true, sql: `array_to_string((regexp_split_to_array(btrim(text), '\s+'))[1:150], ' ')` },
] as { key: string; name: string; table: string; sql?: string; rows?: () => Promise<{ label: string; text: string }[] | null>; long?: boolean }[];
const SEEDS = [1, 2, 3];
/**
 * The starter's variants: request arguments added to the run (the product's defaults first). On
 * long texts only the defaults (features off there) and everything on (their cost) run: each run
 * with the features takes minutes there.
 */
const VARIANTS: { name: string; args: Record<string, unknown>; long?: boolean }[] = [
  { name: "starter, defaults", args: {}, long: true },
  { name: "starter, words only (minn 0, word_ngrams 1)", args: { minn: 0, word_ngrams: 1 } },
  { name: "starter, character n-grams (minn 2, maxn 5, word_ngrams 1)", args: { minn: 2, maxn: 5, word_ngrams: 1 } },
  { name: "starter, token pairs (minn 0, word_ngrams 2)", args: { minn: 0, word_ngrams: 2 } },
  { name: "starter, token pairs and triples (minn 0, word_ngrams 3)", args: { minn: 0, word_ngrams: 3 } },
  { name: "starter, all (minn 2, maxn 5, word_ngrams 3)", args: { minn: 2, maxn: 5, word_ngrams: 3 }, long: true },
];
/** fastText with the starter's settings (5 epochs, its n-gram range, word pairs), and with 25 epochs (its usual setting for small data; minutes per run on long texts, so not there). */
const fastText = (long: boolean): FastTextConfig[] => [
  { name: "fastText 5 ep, words only", args: ["-epoch", "5", "-thread", "2"] },
  { name: "fastText 5 ep, -minn 2 -maxn 5 -wordNgrams 2", args: ["-epoch", "5", "-minn", "2", "-maxn", "5", "-wordNgrams", "2", "-thread", "2"] },
  ...(long
    ? []
    : [
        { name: "fastText 25 ep, -minn 2 -maxn 5", args: ["-epoch", "25", "-minn", "2", "-maxn", "5", "-thread", "2"] },
        { name: "fastText 25 ep, -minn 2 -maxn 5 -wordNgrams 2", args: ["-epoch", "25", "-minn", "2", "-maxn", "5", "-wordNgrams", "2", "-thread", "2"] },
      ]),
];

interface Cell {
  accuracy: number[];
  seconds: number[];
}

export async function runQualityBench(o: { root: string; tmp: string; pg: Pg; say: (line: string) => void; benchmarks?: string[]; seeds?: number[] }): Promise<void> {
  const unknown = (o.benchmarks ?? []).filter((k) => !BENCHMARKS.some((b) => b.key === k));
  if (unknown.length) throw new Error(`--benchmarks: unknown ${unknown.join(", ")} (known: ${BENCHMARKS.map((b) => b.key).join(", ")})`);
  const benchmarks = BENCHMARKS.filter((b) => !o.benchmarks || o.benchmarks.includes(b.key));
  const seeds = o.seeds ?? SEEDS;
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
  /** the features the defaults chose on each benchmark (their log line) */
  const chosen = new Map<string, string>();
  const add = (bench: string, system: string, accuracy: number, seconds: number) => {
    const k = `${bench}\u001f${system}`;
    const c = cells.get(k) ?? { accuracy: [], seconds: [] };
    c.accuracy.push(accuracy);
    c.seconds.push(seconds);
    cells.set(k, c);
  };
  try {
    for (const b of benchmarks) {
      if (b.rows) {
        const rows = await b.rows();
        if (!rows) {
          o.say(`  quality: ${b.name}: skipped, Debian's word lists are not installed (apt-get install -y wamerican wfrench wngerman wspanish)`);
          continue;
        }
        await db.$executeRawUnsafe(`CREATE TABLE ${b.table} (id int PRIMARY KEY, label text NOT NULL, text text NOT NULL)`);
        await db.$executeRawUnsafe(`INSERT INTO ${b.table} SELECT ordinality::int, l, t FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(l, t)`, rows.map((r) => r.label), rows.map((r) => r.text));
      } else {
        await db.$executeRawUnsafe(`CREATE TABLE ${b.table} AS SELECT id, label, ${b.sql} AS text FROM demo_email WHERE ${b.sql} <> ''`);
        await db.$executeRawUnsafe(`ALTER TABLE ${b.table} ADD PRIMARY KEY (id)`);
      }
      const [{ n }] = await db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${b.table}`);
      o.say(`  quality: ${b.name}: ${n} rows`);
      for (const seed of seeds) {
        let runId = "";
        for (const v of VARIANTS.filter((v) => !b.long || v.long)) {
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
          if (v === VARIANTS[0] && !chosen.has(b.name)) {
            const line = await db.runLog.findFirst({ where: { runId: r.id, message: { startsWith: "Features:" } } });
            chosen.set(b.name, line?.message.replace(/^Features: /, "") ?? "?");
          }
          o.say(`  quality: ${b.name}, seed ${seed}, ${v.name}: ${((r.metricsNew as { accuracy: number }).accuracy * 100).toFixed(2)} % in ${((Date.now() - t0) / 1000).toFixed(1)} s (training ${(r.timings as Record<string, number> | null)?.training?.toFixed(1) ?? "?"} s)`);
        }
        if (!bin) continue;
        // fastText on the run's own training and test rows (the scored test rows are in RunTestRow; the rest trained)
        const test = new Set((await db.runTestRow.findMany({ where: { runId }, select: { key: true } })).map((r) => r.key));
        const rows = await db.$queryRawUnsafe<{ id: number; label: string; text: string }[]>(`SELECT id, label, text FROM ${b.table} ORDER BY id`);
        const split = { train: arrayRows(rows.filter((r) => !test.has(String(r.id)))), test: arrayRows(rows.filter((r) => test.has(String(r.id)))) };
        for (const f of await runFastTextConfigs(bin, path.join(o.tmp, "quality", `${b.table}-${seed}`), split, fastText(!!b.long), () => {})) {
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
  const signed = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(2)}`;
  const sd = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
  const lines = [`| benchmark | system | accuracy (mean ± sd, ${seeds.length} seeds) | wall time (s, mean; product: queue → succeeded; fastText: supervised) |`, "| --- | --- | ---: | ---: |"];
  for (const [k, c] of cells) {
    const [bench, system] = k.split("\u001f");
    lines.push(`| ${bench} | ${system} | ${(mean(c.accuracy) * 100).toFixed(2)} % ± ${(sd(c.accuracy) * 100).toFixed(2)} | ${mean(c.seconds).toFixed(2)} |`);
  }
  // The defaults' choice on each benchmark, and what it gains and costs against the other variants (from the cells above).
  const why: string[] = [];
  for (const b of benchmarks) {
    const cell = (system: string) => cells.get(`${b.name}\u001f${system}`);
    const def = cell(`${VARIANTS[0].name} (queue → succeeded)`);
    if (!def) continue;
    const vs = VARIANTS.slice(1)
      .map((v) => [v, cell(`${v.name} (queue → succeeded)`)] as const)
      .filter(([, c]) => c)
      .map(([v, c]) => `${v.name.replace(/^starter, /, "")}: ${signed((mean(def.accuracy) - mean(c!.accuracy)) * 100)} pp at ${(mean(def.seconds) / mean(c!.seconds)).toFixed(2)}× its wall time`);
    const bestFast = [...cells].filter(([k]) => k.startsWith(`${b.name}\u001f`) && k.includes("fastText")).sort((x, y) => mean(y[1].accuracy) - mean(x[1].accuracy))[0];
    if (bestFast) vs.push(`best fastText (${bestFast[0].split("\u001f")[1]}): ${signed((mean(def.accuracy) - mean(bestFast[1].accuracy)) * 100)} pp`);
    why.push(`- ${b.name}: the defaults chose ${chosen.get(b.name) ?? "?"}. Against ${vs.join("; ")}.`);
  }
  process.stdout.write(["", "## bench: quality across text lengths", "", ...lines, "", "### the defaults' choice", "", ...why, ""].join("\n") + "\n");
  await mkdir(path.join(o.root, "bench-results"), { recursive: true });
  await writeFile(path.join(o.root, "bench-results", "quality.json"), JSON.stringify({ at: new Date().toISOString(), cells: Object.fromEntries(cells), chosen: Object.fromEntries(chosen), table: lines.join("\n"), why }, null, 2) + "\n");
}
