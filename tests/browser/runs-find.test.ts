// Finding runs in a real browser at phone width (390 px): name and tag a run on its page, then on
// the Runs list search, filter by tag and sort by accuracy; the URL carries the view, a reload
// shows the same view, back steps through the earlier ones; a bad sort in the URL is explained;
// two selected runs link to the comparison; the page never scrolls sideways.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { computeMetrics } from "../../lib/training/metrics";
import { noHorizontalScroll, screenshotOnFailure, signIn, startStack, type Stack } from "../helpers/browser";
import { ADMIN } from "../helpers/db";

let stack: Stack | undefined;
let base = "";
const runs: Record<string, string> = {};

before(async () => {
  stack = await startStack({ context: { viewport: { width: 390, height: 844 } } });
  base = stack.web.url;
  // Finished runs written straight to the database (the worker has nothing to claim), oldest first.
  const db = stack.database.db;
  const model = await db.model.findFirstOrThrow({ where: { isDefault: true } });
  const seed: [string, string | null, string[], number | null][] = [
    ["high", "Lucky high", ["baseline"], 0.99],
    ["edited", null, [], 0.7],
    ["other", "Other baseline", ["baseline"], 0.9],
    ["second", "Lucky second", ["other"], 0.95],
    ["noMetrics", "Lucky no metrics", ["baseline"], null],
  ];
  for (const [i, [key, name, tags, accuracy]] of seed.entries()) {
    const row = await db.trainingRun.create({
      data: {
        modelId: model.id, status: accuracy === null ? "failed" : "succeeded", phase: "done", progress: 1, name, tags,
        request: { table: "demo_email", columns: "label,text", num_train_epochs: 3, learning_rate: 0.01 },
        metricsNew: accuracy === null ? undefined : (metricsWithAccuracy(accuracy) as object),
        createdAt: new Date(Date.now() - (seed.length - i) * 60_000),
      },
    });
    runs[key] = row.id;
  }
});

/** Real metrics (computeMetrics) of 100 predictions over two labels, `accuracy` of them right. */
function metricsWithAccuracy(accuracy: number) {
  const yTrue = Array.from({ length: 100 }, (_, i) => i % 2);
  const probs = yTrue.map((y, i) => (i < accuracy * 100 === (y === 1) ? [0.2, 0.8] : [0.8, 0.2]));
  return computeMetrics(yTrue, probs, ["ham", "spam"]);
}

after(async () => {
  await stack?.stop();
});

/** The ids of the rows on the list, once it shows `expected` (the list updates after the URL does). */
async function rowsAre(p: Page, expected: string[], what: string) {
  const ids = () => p.$$eval('[data-testid="run-row"]', (rows) => rows.map((r) => r.getAttribute("data-run-id")));
  await p.waitForFunction((want) => {
    const got = [...document.querySelectorAll('[data-testid="run-row"]')].map((r) => r.getAttribute("data-run-id"));
    return JSON.stringify(got) === JSON.stringify(want);
  }, expected, { timeout: 15_000 }).catch(() => {});
  assert.deepEqual(await ids(), expected, what);
}

const params = (p: Page) => Object.fromEntries(new URL(p.url()).searchParams);

test("name and tag a run on its page; search, filter by tag and sort by accuracy on the Runs list, kept in the URL", { timeout: 240_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("runs-find", stack, async () => {
    await signIn(p, base, ADMIN.email, ADMIN.password);

    // The run's page: its id is the title until it has a name.
    await p.goto(`${base}/runs/${runs.edited}`);
    await p.locator('[data-testid="run-title"]', { hasText: runs.edited! }).waitFor();
    await p.getByRole("button", { name: "Edit name, notes and tags" }).click();
    await p.getByLabel("Name", { exact: true }).fill("Lucky edited");
    await p.getByLabel("Tags", { exact: true }).fill("baseline, keep-me");
    await p.getByLabel("Notes", { exact: true }).fill("Small learning rate; compare with the others.");
    await p.getByRole("button", { name: "Save" }).click();
    await p.locator('[data-testid="run-title"]', { hasText: "Lucky edited" }).waitFor();
    assert.deepEqual(await p.locator('[data-testid="run-tags"] .tag').allTextContents(), ["baseline", "keep-me"]);
    assert.match(await p.locator('[data-testid="run-notes"]').innerText(), /Small learning rate/);
    assert.match(await p.title(), /^Lucky edited/);
    await noHorizontalScroll(p, "the run's page");
    // A tag the API refuses is explained, and nothing changes.
    await p.getByRole("button", { name: "Edit name, notes and tags" }).click();
    await p.getByLabel("Tags", { exact: true }).fill("bad;tag");
    await p.getByRole("button", { name: "Save" }).click();
    await p.getByRole("alert").filter({ hasText: "tags.0" }).waitFor();
    await p.getByRole("button", { name: "Cancel", exact: true }).click();
    assert.deepEqual(await p.locator('[data-testid="run-tags"] .tag').allTextContents(), ["baseline", "keep-me"]);

    // The Runs list, newest first.
    await p.goto(`${base}/runs`);
    await rowsAre(p, [runs.noMetrics, runs.second, runs.other, runs.edited, runs.high].map(String), "everything, newest first");
    assert.equal(await p.locator(`[data-run-id="${runs.edited}"] [data-testid="run-name"]`).innerText(), "Lucky edited");

    await p.getByLabel("Search", { exact: true }).fill("LUCKY");
    await p.waitForURL((u) => u.searchParams.get("q") === "LUCKY");
    await rowsAre(p, [runs.noMetrics, runs.second, runs.edited, runs.high].map(String), "searched by name");

    await p.getByLabel("Tag", { exact: true }).fill("baseline");
    await p.waitForURL((u) => u.searchParams.get("tag") === "baseline");
    await rowsAre(p, [runs.noMetrics, runs.edited, runs.high].map(String), "searched and filtered by tag");

    await p.getByRole("button", { name: /^Accuracy/ }).click();
    await p.waitForURL((u) => u.searchParams.get("sort") === "-accuracy");
    const sorted = [runs.high, runs.edited, runs.noMetrics].map(String);
    await rowsAre(p, sorted, "by accuracy, best first, the run without it last");
    assert.deepEqual(params(p), { q: "LUCKY", tag: "baseline", sort: "-accuracy" });
    await noHorizontalScroll(p, "the Runs list");

    // A reload (or the same URL shared) shows the same view.
    await p.reload();
    await rowsAre(p, sorted, "after a reload");
    assert.equal(await p.getByLabel("Search", { exact: true }).inputValue(), "LUCKY");
    assert.equal(await p.getByLabel("Tag", { exact: true }).inputValue(), "baseline");
    assert.equal(await p.locator('th[aria-sort="descending"]').innerText(), "Accuracy ↓");

    // Back: the view before the sort, then before the tag filter.
    await p.goBack();
    await p.waitForURL((u) => !u.searchParams.has("sort"));
    await rowsAre(p, [runs.noMetrics, runs.edited, runs.high].map(String), "back: unsorted");
    await p.goBack();
    await p.waitForURL((u) => !u.searchParams.has("tag") && u.searchParams.get("q") === "LUCKY");
    await rowsAre(p, [runs.noMetrics, runs.second, runs.edited, runs.high].map(String), "back: no tag filter");
    assert.equal(await p.getByLabel("Tag", { exact: true }).inputValue(), "", "the tag box follows the URL");

    // Select two runs: Compare links to the comparison of both.
    const compare = p.locator('[data-testid="compare-runs"]');
    assert.equal(await compare.innerText(), "Compare (0)");
    await p.getByRole("checkbox", { name: "Select run Lucky edited" }).check();
    await p.getByRole("checkbox", { name: "Select run Lucky high" }).check();
    assert.equal(await compare.innerText(), "Compare (2)");
    assert.equal(await compare.getAttribute("href"), `/runs/compare?ids=${runs.edited},${runs.high}`);

    // A bad sort in the URL: the API's message, naming the field.
    await p.goto(`${base}/runs?sort=fastest`);
    await p.getByRole("alert").filter({ hasText: "sort" }).waitFor();
  });
});
