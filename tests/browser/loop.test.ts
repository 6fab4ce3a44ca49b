// The whole loop in a real browser: sign in, start a run on demo_email, watch its log lines
// arrive while it is still running, see the metrics, override (promote) the new version, and
// classify an obviously spammy and an obviously ordinary text with it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { fillNewRunRequest, screenshotOnFailure, signIn, startStack, type Stack } from "../helpers/browser";
import { ADMIN } from "../helpers/db";

// Several seconds of training on the whole table (5,911 e-mails), 5 epochs: plenty of log lines.
// No `limit`, so all of it is used (demo_email is stored in a fixed shuffled order, see
// lib/data/seed-demo.ts, so a `limit` would take a fair sample of both labels, not one label).
const REQUEST = {
  columns: "label,text",
  table: "demo_email",
  p_of_train: 0.8,
  evaluation_strategy: "epoch",
  learning_rate: 0.01,
  num_train_epochs: 5,
  seed: 42,
};

const SPAM =
  "CONGRATULATIONS!!! You have been selected to receive a FREE $1000 Walmart gift card. Click here now to claim your prize, limited time offer, act now! Unsubscribe";
const HAM =
  "Hi Tom, are we still meeting tomorrow at 10 to go over the release notes for the exmh patch? I pushed the fix to CVS last night.";

let stack: Stack | undefined;

before(async () => {
  stack = await startStack();
});

after(async () => {
  await stack?.stop();
});

test("sign in, train with live logs, override, predict spam and ham", { timeout: 300_000 }, async (t) => {
  const p = stack!.page;
  const base = stack!.web.url;

  await screenshotOnFailure("loop", stack, async () => {
    // 1. Signed out: / sends us to the login page.
    await p.goto(`${base}/`);
    await p.waitForURL((u) => u.pathname === "/login");
    await signIn(p, base, ADMIN.email, ADMIN.password);
    await p.getByRole("heading", { name: "Overview" }).waitFor();

    // 2. New run: replace the prefilled request.
    await p.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "New run" }).click();
    await p.waitForURL((u) => u.pathname === "/runs/new");
    await fillNewRunRequest(p, REQUEST); // waits for the prefilled example first
    await p.getByRole("button", { name: "Start run" }).click();
    await p.waitForURL((u) => /^\/runs\/[^/]+$/.test(u.pathname) && u.pathname !== "/runs/new");
    const runId = decodeURIComponent(new URL(p.url()).pathname.split("/").pop()!);
    assert.ok(runId.length > 0);

    // 3. Log lines arrive while the run is still queued/running. Status and line count are read
    //    in one snapshot, so a line rendered only after the run finished cannot count.
    const snapshot = () =>
      p.evaluate(() => ({
        status: document.querySelector('[data-testid="status-badge"]')?.getAttribute("data-status") ?? null,
        lines: [...document.querySelectorAll('[data-testid="log-line"]')].filter((el) => el.checkVisibility()).length,
      }));
    let seenWhileActive = 0;
    let seenAt = 0;
    let lastStatus: string | null = null;
    const deadline = Date.now() + 120_000;
    for (;;) {
      const s = await snapshot();
      lastStatus = s.status;
      if (s.status === "queued" || s.status === "running") {
        if (s.lines > 0) {
          seenWhileActive = s.lines;
          seenAt = Date.now();
          break;
        }
      } else if (s.status !== null) {
        break; // finished (or failed) before any line showed up live
      }
      if (Date.now() > deadline) break;
      await p.waitForTimeout(100);
    }
    assert.ok(
      seenWhileActive > 0,
      `expected log lines on the page while the run was queued/running (status when stopped looking: ${lastStatus})`,
    );
    await p.locator('[data-testid="log-line"]').first().waitFor({ state: "visible" });

    // 4. The run finishes and the metrics table shows the new model; nothing served before.
    await p.locator('[data-testid="status-badge"][data-status="succeeded"]').waitFor({ timeout: 120_000 }).catch(async (err) => {
      const status = await p.locator('[data-testid="status-badge"]').getAttribute("data-status").catch(() => null);
      const runError = await p.locator('[data-testid="run-error"]').textContent().catch(() => null);
      throw new Error(`run did not succeed (status ${status}${runError ? `: ${runError}` : ""}): ${(err as Error).message}`);
    });
    const table = p.locator('[data-testid="metrics-table"]');
    await table.waitFor({ timeout: 120_000 });
    const accuracyCell = table.locator('tr[data-metric="accuracy"] td.num').first();
    await p.waitForFunction(
      () => /%/.test(document.querySelector('[data-testid="metrics-table"] tr[data-metric="accuracy"] td.num')?.textContent ?? ""),
      undefined,
      { timeout: 30_000 },
    );
    const accuracyText = (await accuracyCell.textContent()) ?? "";
    const accuracy = Number.parseFloat(accuracyText.replace(/[^\d.]/g, ""));
    assert.ok(accuracy > 80, `new model accuracy should be well above chance, got "${accuracyText}"`);
    await assertText(p, '[data-testid="no-old-model"]', "No model was serving before this run");

    // The reliability diagram (confidence against accuracy per bin, with the diagonal) under its title,
    // the new model's ECE in its legend and in the table; it fits a 390 px wide phone screen.
    await p.getByRole("heading", { name: "Reliability diagram" }).waitFor();
    const reliability = p.locator('[data-testid="reliability-chart"]');
    await reliability.locator(".recharts-scatter-symbol").first().waitFor();
    await reliability.locator(".recharts-reference-line").first().waitFor();
    assert.match((await reliability.locator('[role="img"]').getAttribute("aria-label")) ?? "", /New: ECE 0\.\d{3}/);
    await reliability.getByText("Confidence: top-class score (%)").waitFor();
    assert.match(((await table.locator('tr[data-metric="ece"] td.num').first().textContent()) ?? "").trim(), /^0\.\d{3}$/);
    // The temperature the candidate was calibrated with, under Data.
    await p.locator('[data-testid="run-stats"]').getByText("Temperature").waitFor();
    assert.match((await p.locator('[data-testid="run-stats"]').innerText()).replace(/\s+/g, " "), /Temperature \d+\.\d\d \([\d,]+ rows held out\)/i);
    const viewport = p.viewportSize();
    await p.setViewportSize({ width: 390, height: 844 });
    await p.waitForFunction(() => {
      const chart = document.querySelector('[data-testid="reliability-chart"] .recharts-wrapper')?.getBoundingClientRect();
      return !!chart && chart.left >= 0 && chart.right <= 390 && chart.width > 250;
    });
    if (viewport) await p.setViewportSize(viewport);

    // The server agrees: the run finished after the lines were already on screen.
    const apiRun = await p.request.get(`${base}/api/runs/${encodeURIComponent(runId)}`);
    assert.equal(apiRun.status(), 200);
    const { status, finishedAt } = (await apiRun.json()) as { status: string; finishedAt: string | null };
    assert.equal(status, "succeeded");
    assert.ok(finishedAt, "a finished run has finishedAt");
    const margin = Date.parse(finishedAt) - seenAt;
    assert.ok(margin > 0, `log lines were first seen ${-margin} ms after the run finished (server time), not live`);
    t.diagnostic(`${seenWhileActive} log line(s) visible ${margin} ms before the run finished`);

    // More lines came after the first live ones (the run kept logging until it finished).
    const finalLines = await p.locator('[data-testid="log-line"]').count();
    assert.ok(finalLines > seenWhileActive, `log should grow after the first live lines (${seenWhileActive} → ${finalLines})`);
    t.diagnostic(`log lines: ${seenWhileActive} while running, ${finalLines} at the end`);
    // The stream shows lines in seq order.
    const seqs = await p.locator('[data-testid="log-line"]').evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-seq"))));
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), "log lines should be in seq order");

    // 5. Override: promote the new version.
    await p.getByRole("button", { name: "Override", exact: true }).click();
    const dialog = p.getByRole("dialog");
    await dialog.waitFor({ state: "visible" });
    await dialog.getByRole("button", { name: "Confirm override" }).click();
    await p.locator('[data-testid="serving-badge"]').waitFor({ state: "visible", timeout: 30_000 });
    await dialog.waitFor({ state: "hidden" });

    // 6. Predict with the serving model.
    await p.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Predict" }).click();
    await p.waitForURL((u) => u.pathname === "/predict");
    await p.getByLabel("Texts to classify").fill(`${SPAM}\n${HAM}`);
    await p.getByRole("button", { name: "Predict" }).click();
    const labels = p.locator('[data-testid="predicted-label"]');
    await p.locator('[data-testid="predictions"], [data-testid="predict-error"]').first().waitFor({ timeout: 60_000 });
    if (await p.locator('[data-testid="predict-error"]').isVisible()) {
      throw new Error(`prediction failed: ${await p.locator('[data-testid="predict-error"]').textContent()}`);
    }
    await p.waitForFunction(() => document.querySelectorAll('[data-testid="predicted-label"]').length === 2);
    const rows = (await p.locator('[data-testid="prediction"]').allInnerTexts()).map((t) => t.replace(/\s+/g, " "));
    assert.deepEqual((await labels.allTextContents()).map((t) => t.trim()), ["spam", "ham"], `predictions:\n${rows.join("\n")}`);
  });
});

async function assertText(p: Page, selector: string, expected: string) {
  const el = p.locator(selector);
  await el.waitFor({ state: "visible" });
  assert.equal(((await el.textContent()) ?? "").trim(), expected);
}
