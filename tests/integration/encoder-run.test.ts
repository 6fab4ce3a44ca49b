import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { env as hfEnv, pipeline } from "@huggingface/transformers";
import { loadEncoderClassifier } from "../../lib/kinds/encoder/artifact";
import { exportVersion } from "../../lib/versions/export";
import { artifactDir } from "../../lib/versions/store";
import { promoteVersion } from "../../lib/versions/promote";
import { enqueueRun } from "../../lib/runs/web/enqueue";
import { createTestDatabase, tmpDir, type TestDatabase } from "../helpers/db";
import { createReviewEncoderModel } from "../helpers/fixtures";
import { startWorkerProcess, waitFor, type Proc } from "../helpers/processes";

// A configured encoder model (a synth-bert: random BERT weights, the same code path as a pulled
// bert-base-cased) trained end to end by a real worker: features through the cache, a head,
// old vs new, warm start, and an export that transformers.js scores like the product.

let t: TestDatabase;
let modelsDir: string;
const procs: Proc[] = [];

before(async () => {
  t = await createTestDatabase();
  modelsDir = tmpDir("models");
  const model = await createReviewEncoderModel(t.db, modelsDir, { rows: 120, layers: 2, hidden: 32, heads: 4 });
  assert.ok(model);
});

after(async () => {
  await Promise.all(procs.map((p) => p.stop("SIGKILL")));
  await t?.drop();
});

async function run(body: Record<string, unknown>) {
  const q = await enqueueRun(t.db, { model: "reviews-bert", table: "reviews", columns: "label,body", seed: 1, ...body }, null);
  assert.ok(q.ok, JSON.stringify(q));
  const w = startWorkerProcess({ DATABASE_URL: t.url, MODELS_DIR: modelsDir });
  procs.push(w);
  const r = await waitFor("the run", async () => {
    const x = await t.db.trainingRun.findUniqueOrThrow({ where: { id: q.id } });
    return ["succeeded", "failed", "cancelled"].includes(x.status) ? x : null;
  }, 120_000);
  await w.stop();
  assert.equal(r.status, "succeeded", `${r.error}\n${w.output()}`);
  const logs = await t.db.runLog.findMany({ where: { runId: q.id }, orderBy: { seq: "asc" } });
  return { run: r, stats: r.stats as Record<string, number>, logs: logs.map((l) => l.message) };
}

test("features are encoded once: a re-run encodes 0, and k new rows encode k", async () => {
  const first = await run({ num_train_epochs: 30, learning_rate: 0.01, fp16: true, class_weight: "balanced" });
  assert.deepEqual([first.stats.encodedRows, first.stats.cachedRows], [120, 0]);
  assert.equal(first.run.metricsOld, null);
  assert.ok((first.run.metricsNew as { accuracy: number }).accuracy >= 0.9, JSON.stringify(first.run.metricsNew));
  assert.ok(first.logs.some((m) => /Ignored TrainingArguments "fp16"/.test(m)));
  assert.equal(await t.db.featureCache.count(), 120);

  const version = await t.db.modelVersion.findUniqueOrThrow({ where: { id: first.run.candidateVersionId! } });
  await promoteVersion(t.db, { modelName: "reviews-bert", versionId: version.id });

  const second = await run({ num_train_epochs: 2, learning_rate: 0.01 });
  assert.deepEqual([second.stats.encodedRows, second.stats.cachedRows], [0, 120]);
  const old = second.run.metricsOld as { accuracy: number };
  assert.ok(Math.abs(old.accuracy - (first.run.metricsNew as { accuracy: number }).accuracy) < 1e-9, "old = the promoted version on the same rows");
  assert.ok(second.logs.some((m) => /Fine-tuning the head of the serving version/.test(m)));
  const v2 = await t.db.modelVersion.findUniqueOrThrow({ where: { id: second.run.candidateVersionId! } });
  assert.equal(v2.parentId, version.id);

  await t.db.$executeRawUnsafe(`INSERT INTO reviews (label, body) VALUES ('pos', 'a brand new great review'), ('neg', 'a brand new awful review'), ('pos', 'fresh and perfect, new text')`);
  const third = await run({ num_train_epochs: 1 });
  assert.deepEqual([third.stats.encodedRows, third.stats.cachedRows], [3, 120]);
});

test("an encoder version exports as one graph that transformers.js scores like the product", async () => {
  const v = await t.db.modelVersion.findFirstOrThrow({ where: { model: { name: "reviews-bert" } }, orderBy: { createdAt: "asc" } });
  const out = path.join(tmpDir("exports"), "reviews-bert");
  await exportVersion(t.db, v.id, out, { modelsDir });
  // the product's serving path for this version (the same classifier /api/predict uses)
  const ours = await loadEncoderClassifier(await artifactDir(t.db, v.artifactHash), { modelsDir });
  const texts = ["the food was great and the staff friendly", "awful, cold and slow", "table"];
  const probs = await ours.predict(texts);
  await ours.close();
  hfEnv.allowRemoteModels = false;
  hfEnv.localModelPath = path.dirname(out) + path.sep;
  const classify = await pipeline("text-classification", path.basename(out), { local_files_only: true });
  const theirs = (await classify(texts, { top_k: null })) as unknown as { label: string; score: number }[][];
  await classify.dispose();
  theirs.forEach((row, i) => {
    for (const { label, score } of row) {
      const j = v.labels.indexOf(label);
      assert.ok(Math.abs(score - probs[i][j]) < 1e-4, `${texts[i]} ${label}: ${score} vs ${probs[i][j]}`);
    }
  });
});
