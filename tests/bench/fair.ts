// `npm run bench -- --only fair`: the fair comparison on a table that grows, with the real worker.
// demo_email's first 4,000 e-mails (by id) train version 1 (stable split, seed 13), which serves;
// the table then grows to all 5,911 e-mails, and three runs are compared against version 1:
// the stable split with another seed, the random split with another seed (the pre-issue-9 default),
// and rows "new". For each: how many test rows version 1 had trained on (set aside), how many rows
// both models were scored on, and old vs new accuracy on exactly those rows.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { startEmbeddedPostgres } from "../../lib/db/embedded";

type Pg = Awaited<ReturnType<typeof startEmbeddedPostgres>>;

export async function runFairBench(o: { root: string; pg: Pg; say: (line: string) => void }): Promise<void> {
  const { createDb } = await import("../../lib/db/client");
  const { prepareDatabase } = await import("../../lib/prepare-database");
  const { enqueueRun } = await import("../../lib/runs/web/enqueue");
  const { promoteVersion } = await import("../../lib/versions/promote");
  const { startBenchWorker } = await import("./bench-worker");
  await o.pg.ensureDatabase("fair");
  const url = o.pg.urlFor("fair");
  const db = createDb(url, 4);
  await prepareDatabase(url, { adminEmail: "bench@example.com", adminPassword: "bench-password-1", log: () => {} });
  const worker = await startBenchWorker(db, url, () => {});
  const run = async (body: Record<string, unknown>) => {
    const q = await enqueueRun(db, { table: "grown", columns: "label,text", ...body }, null);
    if (!q.ok) throw new Error(JSON.stringify(q.issues));
    for (;;) {
      const r = await db.trainingRun.findUniqueOrThrow({ where: { id: q.id } });
      if (r.status !== "queued" && r.status !== "running") {
        if (r.status !== "succeeded") throw new Error(`run ${r.id} ${r.status}: ${r.error}`);
        return r;
      }
      await new Promise((res) => setTimeout(res, 100));
    }
  };
  try {
    await db.$executeRawUnsafe(`CREATE TABLE grown (id int PRIMARY KEY, label text, text text)`);
    await db.$executeRawUnsafe(`INSERT INTO grown SELECT id, label, text FROM demo_email ORDER BY id LIMIT 4000`);
    o.say("  fair: training version 1 on 4,000 rows (stable split, seed 13)");
    const v1 = await run({ seed: 13 });
    await promoteVersion(db, { modelName: "default", versionId: v1.candidateVersionId! });
    const added = await db.$executeRawUnsafe(`INSERT INTO grown SELECT id, label, text FROM demo_email ORDER BY id OFFSET 4000`);
    o.say(`  fair: the table grew by ${added} rows`);
    const cases = [
      { name: "stable split, seed 14 (default)", body: { seed: 14 } },
      { name: "random split, seed 14 (the old default)", body: { split: "random", seed: 14 } },
      { name: 'rows "new", stable split, seed 14', body: { rows: "new", seed: 14 } },
    ];
    const lines = ["| run on the grown table | train rows | test rows | seen by version 1 (set aside) | scored rows | old accuracy | new accuracy | new − old |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"];
    const results = [];
    for (const c of cases) {
      o.say(`  fair: ${c.name}`);
      const r = await run(c.body);
      const s = r.split as { trainRows: number; testRows: number; testRowsSeenByOld: number; scoredRows: number };
      const oldA = (r.metricsOld as { accuracy: number }).accuracy;
      const newA = (r.metricsNew as { accuracy: number }).accuracy;
      results.push({ case: c.name, runId: r.id, split: r.split, oldAccuracy: oldA, newAccuracy: newA });
      lines.push(`| ${c.name} | ${s.trainRows} | ${s.testRows} | ${s.testRowsSeenByOld} | ${s.scoredRows} | ${(oldA * 100).toFixed(2)} % | ${(newA * 100).toFixed(2)} % | ${((newA - oldA) * 100).toFixed(2)} pp |`);
    }
    process.stdout.write(["", "## bench: fair comparison on a growing table (demo_email: 4,000 rows, then 5,911)", "", ...lines, ""].join("\n") + "\n");
    await mkdir(path.join(o.root, "bench-results"), { recursive: true });
    await writeFile(path.join(o.root, "bench-results", "fair.json"), JSON.stringify({ at: new Date().toISOString(), version1: { runId: v1.id, split: v1.split }, results, table: lines.join("\n") }, null, 2) + "\n");
  } finally {
    await worker.stop();
    await db.$disconnect();
  }
}
