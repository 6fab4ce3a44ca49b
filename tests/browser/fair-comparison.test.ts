// Fair comparisons on the run page, in a real browser: a random split on a grown table warns about
// the set-aside rows; a confusion-matrix cell lists its rows; a label change shows a banner instead of
// deltas, and Override asks for the model's name; the New run form counts the new rows.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { promoteVersion } from "../../lib/versions/promote";
import { fillNewRunRequest, screenshotOnFailure, signIn, startStack, type Stack } from "../helpers/browser";
import { ADMIN } from "../helpers/db";
import { queueRun, runFinished } from "../helpers/runs";

let stack: Stack | undefined;
const db = () => stack!.database.db;

async function finishedRun(body: Record<string, unknown>): Promise<string> {
  const id = await queueRun(db(), { columns: "label,text", num_train_epochs: 2, ...body });
  const r = await runFinished(db(), id, 180_000);
  assert.equal(r.status, "succeeded", `${r.error}`);
  return id;
}

before(async () => {
  stack = await startStack();
  await db().$executeRawUnsafe(`CREATE TABLE grow (id int PRIMARY KEY, label text, text text)`);
  await db().$executeRawUnsafe(`INSERT INTO grow SELECT id, label, text FROM demo_email ORDER BY id LIMIT 500`);
  const first = await finishedRun({ table: "grow", seed: 13 });
  const v1 = (await db().trainingRun.findUniqueOrThrow({ where: { id: first } })).candidateVersionId!;
  await promoteVersion(db(), { modelName: "default", versionId: v1 });
  await db().$executeRawUnsafe(`INSERT INTO grow SELECT id, label, text FROM demo_email ORDER BY id OFFSET 500 LIMIT 200`);
});

after(async () => {
  await stack?.stop();
});

const open = async (p: Page, runId: string) => {
  await p.goto(`${stack!.web.url}/runs/${encodeURIComponent(runId)}`);
  await p.locator('[data-testid="candidate"]').waitFor();
};

test("random split on a grown table: the set-aside rows are reported; a confusion cell lists its rows", { timeout: 300_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("fair-random", stack, async () => {
    const runId = await finishedRun({ table: "grow", split: "random", seed: 14 });
    const run = await db().trainingRun.findUniqueOrThrow({ where: { id: runId } });
    const split = run.split as { testRowsSeenByOld: number; scoredRows: number };
    assert.ok(split.testRowsSeenByOld > 0);
    await signIn(p, stack!.web.url, ADMIN.email, ADMIN.password);
    await open(p, runId);
    const warning = p.locator('[data-testid="seen-rows-warning"]');
    await warning.waitFor();
    assert.match((await warning.textContent()) ?? "", new RegExp(`${split.testRowsSeenByOld} of the \\d+ test rows were training rows of the serving version`));
    assert.match((await p.locator('[data-testid="run-split"]').textContent()) ?? "", /Random split by id/);

    // The new model's matrix: click its first non-empty cell; the list shows that cell's rows.
    const cm = (run.metricsNew as { confusion_matrix: { labels: string[]; matrix: number[][] } }).confusion_matrix;
    const [ti, pj] = [0, 0];
    const count = cm.matrix[ti][pj];
    await p.getByRole("button", { name: `Show the ${count} rows true ${cm.labels[ti]}, predicted ${cm.labels[pj]}` }).click();
    await p.getByRole("heading", { name: `True ${cm.labels[ti]}, predicted ${cm.labels[pj]}` }).waitFor();
    await p.waitForFunction((n) => document.querySelector('[data-testid="errors-total"]')?.textContent === `${n.toLocaleString("en-US")} rows`, count);
    assert.equal(await p.locator('[data-testid="error-row"]').count(), Math.min(20, count));
    const firstRow = (await p.locator('[data-testid="error-row"]').first().textContent()) ?? "";
    assert.ok(firstRow.length > 40, `a row shows its text: ${firstRow}`);
  });
});

test("a label change: banner instead of deltas, Override asks for the model's name, at desktop and phone width", { timeout: 300_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("fair-labels", stack, async () => {
    await db().$executeRawUnsafe(`CREATE TABLE tickets (id serial PRIMARY KEY, category text, body text)`);
    const topics: [string, string[]][] = [["account", ["password reset", "login fails", "change my email"]], ["billing", ["invoice wrong", "refund please", "charged twice"]], ["technical", ["app crashes", "error 500", "page loads slowly"]]];
    const values = Array.from({ length: 150 }, (_, i) => `('${topics[i % 3][0]}', '${topics[i % 3][1][i % 3]} ticket ${i}')`);
    await db().$executeRawUnsafe(`INSERT INTO tickets (category, body) VALUES ${values.join(", ")}`);
    const runId = await finishedRun({ table: "tickets", columns: "category,body", seed: 3 });
    await signIn(p, stack!.web.url, ADMIN.email, ADMIN.password);
    for (const width of [1280, 390]) {
      await p.setViewportSize({ width, height: 900 });
      await open(p, runId);
      const banner = p.locator('[data-testid="not-comparable"]');
      await banner.waitFor();
      const text = (await banner.textContent()) ?? "";
      assert.match(text, /Old and new do not compare/);
      assert.match(text, /Labels added: account, billing, technical/);
      assert.match(text, /Labels removed: ham, spam/);
      assert.equal(await p.locator('[data-testid="delta"][data-tone="good"]').count(), 0, "no green deltas");
    }
    await p.setViewportSize({ width: 1280, height: 900 });
    await p.getByRole("button", { name: "Override", exact: true }).click();
    const dialog = p.getByRole("dialog");
    await dialog.locator('[data-testid="label-change"]').waitFor();
    const confirm = dialog.getByRole("button", { name: "Confirm override" });
    assert.equal(await confirm.isDisabled(), true, "disabled until the name is typed");
    await dialog.getByLabel("Type default to confirm").fill("defaul");
    assert.equal(await confirm.isDisabled(), true);
    await dialog.getByLabel("Type default to confirm").fill("default");
    await confirm.click();
    await p.locator('[data-testid="serving-badge"]').waitFor({ state: "visible", timeout: 30_000 });
    const model = await db().model.findUniqueOrThrow({ where: { name: "default" } });
    const run = await db().trainingRun.findUniqueOrThrow({ where: { id: runId } });
    assert.equal(model.servingVersionId, run.candidateVersionId);

    // Over HTTP without the confirmation: 409 naming the labels (back to a ham/spam version).
    const versions = await db().modelVersion.findMany({ where: { modelId: model.id, labels: { has: "spam" } } });
    const res = await p.request.post(`${stack!.web.url}/api/models/default/promote`, { data: { versionId: versions[0].id }, headers: { origin: stack!.web.url } });
    assert.equal(res.status(), 409);
    const body = (await res.json()) as { error: string; issues: { path: string }[] };
    assert.match(body.error, /adds ham, spam and removes account, billing, technical/);
    assert.equal(body.issues[0].path, "confirmLabelChange");

    // The Models chart starts new lines where the label set changes.
    await p.goto(`${stack!.web.url}/models`);
    const chart = p.locator('[data-testid="versions-chart"]').first();
    await chart.waitFor();
    await p.waitForFunction(() => /labels changed/.test(document.querySelector('[data-testid="versions-chart"]')?.textContent ?? ""), undefined, { timeout: 15_000 });
  });
});

test("the New run form counts the rows new to the serving version", { timeout: 120_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("fair-form", stack, async () => {
    await signIn(p, stack!.web.url, ADMIN.email, ADMIN.password);
    const model = await db().model.findUniqueOrThrow({ where: { name: "default" } });
    await db().model.create({ data: { name: "grow-model", kind: "starter" } });
    const first = await finishedRun({ table: "grow", model: "grow-model", limit: 600, seed: 1 });
    const v = (await db().trainingRun.findUniqueOrThrow({ where: { id: first } })).candidateVersionId!;
    await promoteVersion(db(), { modelName: "grow-model", versionId: v });
    assert.ok(model);
    await p.goto(`${stack!.web.url}/runs/new`);
    await fillNewRunRequest(p, { model: "grow-model", table: "grow", columns: "label,text", rows: "new" });
    await p.waitForFunction(() => /100 of 700 rows are new to the serving version/.test(document.body.textContent ?? ""), undefined, { timeout: 30_000 });
    assert.equal(await p.locator("#nr-rows").inputValue(), "new");
    assert.equal(await p.locator("#nr-split").inputValue(), "stable");
  });
});
