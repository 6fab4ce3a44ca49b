// Comparing runs and downloading results in a real browser: two small runs on demo_email, picked
// on the Models page → /runs/compare?ids=… with both loss curves on one chart, the arguments that
// differ (all of them on demand), scores and per-class F1 side by side, and no sideways scrolling
// at 390 px; the run page's metrics download; the Predict page's CSV of a batch of predictions.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, test } from "node:test";
import type { Download, Page } from "playwright-core";
import { parseCsvRecords } from "../../lib/dashboard/csv";
import { screenshotOnFailure, signIn, startStack, type Stack } from "../helpers/browser";
import { ADMIN } from "../helpers/db";
import { waitFor } from "../helpers/processes";

const SMALL_RUN = {
  columns: "label,text",
  table: "demo_email",
  limit: 300,
  p_of_train: 0.8,
  evaluation_strategy: "epoch",
  learning_rate: 0.01,
  num_train_epochs: 2,
  logging_steps: 2,
  seed: 42,
};
const OTHER_RUN = { ...SMALL_RUN, learning_rate: 0.05, num_train_epochs: 3, seed: 7 };

const SPAM = "CONGRATULATIONS!!! You have been selected for a FREE $1000 gift card, click here now to claim your \"prize\"";
const HAM = "Hi Tom, are we still meeting tomorrow at 10 to go over the release notes?";

let stack: Stack | undefined;
let base = "";
const runs: { id: string; candidateVersionId: string }[] = [];

/** Visible matches only: the app router keeps hidden copies of pages it navigated away from. */
const $ = (p: Page, selector: string) => p.locator(selector).filter({ visible: true });

async function finishedRun(p: Page, body: Record<string, unknown>) {
  const r = await p.request.post(`${base}/api/runs`, { data: body });
  assert.equal(r.status(), 202, await r.text());
  const { id } = (await r.json()) as { id: string };
  return waitFor(`run ${id}`, async () => {
    const run = (await (await p.request.get(`${base}/api/runs/${id}`)).json()) as { id: string; status: string; error: string | null; candidateVersionId: string };
    if (run.status === "failed" || run.status === "cancelled") throw new Error(`run ${id} ${run.status}: ${run.error}`);
    return run.status === "succeeded" ? run : null;
  }, 120_000, 300);
}

async function downloadedText(p: Page, click: () => Promise<void>): Promise<{ download: Download; text: string }> {
  const [download] = await Promise.all([p.waitForEvent("download"), click()]);
  const file = await download.path();
  return { download, text: await readFile(file, "utf8") };
}

before(async () => {
  stack = await startStack({ context: { viewport: { width: 1280, height: 900 }, acceptDownloads: true } });
  base = stack.web.url;
  await signIn(stack.page, base, ADMIN.email, ADMIN.password);
  runs.push(await finishedRun(stack.page, SMALL_RUN));
  // the first run's version serves while the second runs: the second has old and new scores
  const promoted = await stack.page.request.post(`${base}/api/models/default/promote`, { data: { versionId: runs[0]!.candidateVersionId } });
  assert.equal(promoted.status(), 200, await promoted.text());
  runs.push(await finishedRun(stack.page, OTHER_RUN));
});

after(async () => {
  await stack?.stop();
});

test("compare: pick two runs on Models, see both loss curves, the differing arguments and per-class F1", { timeout: 120_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("compare", stack, async () => {
    await p.goto(`${base}/models`);
    const card = $(p, '[data-testid="model-card"][data-model="default"]');
    await card.waitFor();
    assert.match((await $(p, '[data-testid="compare-hint"]').textContent()) ?? "", /Tick two or more/);
    const boxes = card.locator('[data-testid="compare-select"]');
    assert.equal(await boxes.count(), 2);
    await boxes.nth(0).check();
    assert.match((await $(p, '[data-testid="compare-hint"]').textContent()) ?? "", /one more/);
    await boxes.nth(1).check();
    await $(p, '[data-testid="compare-selected"]').click();
    await p.waitForURL((u) => u.pathname === "/runs/compare");
    // newest first, as the versions table lists them
    assert.equal(new URL(p.url()).searchParams.get("ids"), `${runs[1]!.id},${runs[0]!.id}`);
    await p.getByRole("heading", { name: "Compare runs", level: 1 }).waitFor();

    const listed = $(p, '[data-testid="compare-runs"] li');
    await listed.first().waitFor();
    assert.deepEqual(await listed.evaluateAll((els) => els.map((e) => e.getAttribute("data-run-id"))), [runs[1]!.id, runs[0]!.id]);

    // one line per run, straight segments, epochs on the x axis with its title
    const chart = $(p, '[data-testid="compare-loss-chart"]');
    await chart.locator("path.recharts-line-curve").nth(1).waitFor();
    assert.equal(await chart.locator("path.recharts-line-curve").count(), 2);
    const strokes = await chart.locator("path.recharts-line-curve").evaluateAll((els) => els.map((e) => e.getAttribute("stroke")));
    assert.equal(new Set(strokes).size, 2, `two colours: ${strokes}`);
    assert.ok((await chart.textContent())?.includes("Epoch"), "x axis title");
    assert.ok((await chart.textContent())?.includes("Training loss"), "y axis title");
    // eval loss: still one line per run
    await chart.getByRole("radio", { name: "Eval loss" }).check();
    await $(p, '[data-testid="compare-loss-chart"][data-shown="evalLoss"]').waitFor();
    assert.equal(await $(p, '[data-testid="compare-loss-chart"] path.recharts-line-curve').count(), 2);

    // arguments: only those that differ, then all of them
    const argRows = () => $(p, '[data-testid="arguments-table"] tbody tr').evaluateAll((els) => els.map((e) => e.getAttribute("data-argument")));
    assert.deepEqual((await argRows()).sort(), ["learning_rate", "num_train_epochs", "seed"]);
    const lr = $(p, '[data-testid="arguments-table"] tr[data-argument="learning_rate"] td');
    assert.deepEqual((await lr.allTextContents()).map((s) => s.trim()), ["0.05", "0.01"]);
    await p.getByLabel("Show all arguments").check();
    const all = await argRows();
    assert.ok(all.includes("table") && all.includes("model") && all.includes("limit") && all.length > 3, all.join(","));
    await p.getByLabel("Show all arguments").uncheck();
    assert.equal((await argRows()).length, 3);

    // scores and per-class F1 side by side: one column per run
    const newAccuracy = $(p, '[data-testid="compare-scores"] tbody[data-score="accuracy"] td[data-kind="new"]');
    assert.equal(await newAccuracy.count(), 2);
    for (const text of await newAccuracy.allTextContents()) assert.match(text, /^\d+\.\d %$/);
    // run A (the newer) had run B's version serving: its old score and the change; run B had none
    const oldAccuracy = (await $(p, '[data-testid="compare-scores"] tbody[data-score="accuracy"] td[data-kind="old"]').allTextContents()).map((s) => s.trim());
    assert.match(oldAccuracy[0]!, /^\d+\.\d %$/);
    assert.equal(oldAccuracy[1], "—");
    assert.match((await $(p, '[data-testid="compare-scores"] tbody[data-score="accuracy"] td[data-kind="change"]').first().textContent()) ?? "", /pp/);
    for (const label of ["spam", "ham"]) {
      const cells = $(p, `[data-testid="compare-per-class"] tbody[data-score="${label}"] td[data-kind="new"]`);
      assert.equal(await cells.count(), 2, label);
      for (const text of await cells.allTextContents()) assert.match(text, /^\d+\.\d %$/, label);
    }
    // each run's F1 matches the API's
    const apiRuns = (await (await p.request.get(`${base}/api/runs/compare?ids=${runs[1]!.id},${runs[0]!.id}`)).json()) as {
      runs: { metrics: { new: { per_class: Record<string, { f1: number }> } } }[];
    };
    const spamCells = await $(p, '[data-testid="compare-per-class"] tbody[data-score="spam"] td[data-kind="new"]').allTextContents();
    assert.deepEqual(spamCells, apiRuns.runs.map((r) => `${(r.metrics.new.per_class.spam!.f1 * 100).toFixed(1)} %`));

    // a phone: the page itself does not scroll sideways
    await p.setViewportSize({ width: 390, height: 844 });
    await p.waitForFunction(() => document.documentElement.scrollWidth <= 390, undefined, { timeout: 5_000 }).catch(() => {});
    const width = await p.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `page is ${width} px wide at 390`);
    await p.setViewportSize({ width: 1280, height: 900 });
  });
});

test("compare: unknown ids are named, fewer than two runs is said", { timeout: 60_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("compare-errors", stack, async () => {
    await p.goto(`${base}/runs/compare?ids=${runs[0]!.id},no-such-run`);
    const alert = $(p, '[role="alert"]').filter({ hasText: "not found" });
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? "", /"no-such-run"/);
    await p.goto(`${base}/runs/compare?ids=${runs[0]!.id}`);
    const few = $(p, '[data-testid="compare-too-few"]');
    await few.waitFor();
    assert.match((await few.textContent()) ?? "", /at least two runs/);
  });
});

test("run page: Download metrics as CSV and JSON", { timeout: 60_000 }, async () => {
  const p = stack!.page;
  const id = runs[0]!.id;
  await screenshotOnFailure("run-downloads", stack, async () => {
    await p.goto(`${base}/runs/${id}`);
    const links = $(p, '[data-testid="run-downloads"]');
    await links.waitFor();
    const csv = await downloadedText(p, () => links.getByRole("link", { name: "CSV" }).click());
    assert.equal(csv.download.suggestedFilename(), `metrics-${id}.csv`);
    const records = parseCsvRecords(csv.text);
    assert.deepEqual(records[0], ["section", "model", "label", "step", "epoch", "metric", "value"]);
    const json = await downloadedText(p, () => links.getByRole("link", { name: "JSON" }).click());
    assert.equal(json.download.suggestedFilename(), `metrics-${id}.json`);
    const body = JSON.parse(json.text) as { metrics: { new: { accuracy: number } } };
    const accuracy = records.find((r) => r[0] === "metrics" && r[1] === "new" && r[5] === "accuracy");
    assert.equal(Number(accuracy?.[6]), body.metrics.new.accuracy);
  });
});

test("predict: Download CSV of a batch holds each text, its label and every label's score", { timeout: 60_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("predict-download", stack, async () => {
    await p.goto(`${base}/predict`);
    await p.getByRole("radio", { name: "Upload a CSV" }).check();
    const upload = `id,body\n1,"${SPAM.replace(/"/g, '""')}"\n2,"${HAM}"\n`;
    await p.getByLabel("CSV file").setInputFiles({ name: "mails.csv", mimeType: "text/csv", buffer: Buffer.from(upload) });
    await $(p, '[data-testid="csv-summary"]').waitFor();
    await p.getByRole("button", { name: "Predict" }).click();
    await p.waitForFunction(() => [...document.querySelectorAll('[data-testid="prediction"]')].filter((e) => e.checkVisibility()).length === 2);
    const shown = (await $(p, '[data-testid="predicted-label"]').allTextContents()).map((s) => s.trim());

    const { download, text } = await downloadedText(p, () => $(p, '[data-testid="predict-download"]').click());
    assert.equal(download.suggestedFilename(), "predictions-default.csv");
    const [header, ...rows] = parseCsvRecords(text);
    assert.deepEqual(header!.slice(0, 2), ["text", "label"]);
    assert.deepEqual(header!.slice(2).sort(), ["score_ham", "score_spam"]);
    assert.deepEqual(rows.map((r) => r[0]), [SPAM, HAM], "texts with commas and quotes come back whole");
    assert.deepEqual(rows.map((r) => r[1]), shown);
    for (const r of rows) {
      const scores = r.slice(2).map(Number);
      assert.ok(Math.abs(scores.reduce((a, b) => a + b, 0) - 1) < 1e-5, r.join("|"));
      // the label is the top score
      assert.equal(header![2 + scores.indexOf(Math.max(...scores))], `score_${r[1]}`);
    }
  });
});
