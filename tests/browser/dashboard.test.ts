// The dashboard's main paths in a real browser: the overview before and after a run, the runs
// list, a run page whose event stream is cut mid-run (the log must come out exactly 1..n, as the
// API has it), the finished run's charts and Override, the models page (promote and roll back move
// the serving badge), predict with several lines and from a CSV, Cancel, and what a viewer may not
// see or do.
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, test } from "node:test";
import type { Page, Request } from "playwright-core";
import { hashPassword } from "../../lib/auth/password";
import { openPage, screenshotOnFailure, signIn, startStack, type Stack } from "../helpers/browser";
import { ADMIN } from "../helpers/db";
import { waitFor } from "../helpers/processes";

const VIEWER = { email: "viewer@example.com", password: "viewer-password-1" };

// The whole demo table, several epochs and a log line every few steps: long enough to cut the
// event stream while it runs, with lines written during the outage.
const LONG_RUN = {
  columns: "label,text",
  table: "demo_email",
  p_of_train: 0.8,
  evaluation_strategy: "epoch",
  learning_rate: 0.01,
  num_train_epochs: 4,
  logging_steps: 50,
  seed: 42,
};
const SECOND_RUN = { ...LONG_RUN, num_train_epochs: 2, logging_steps: 500, seed: 7 };
const ENDLESS_RUN = { ...LONG_RUN, num_train_epochs: 50, logging_steps: 500 };

const SPAM =
  "CONGRATULATIONS!!! You have been selected to receive a FREE $1000 Walmart gift card. Click here now to claim your prize, limited time offer, act now! Unsubscribe";
const HAM =
  "Hi Tom, are we still meeting tomorrow at 10 to go over the release notes for the exmh patch? I pushed the fix to CVS last night.";
const HAM2 = "Thanks for the minutes of yesterday's meeting, I added two comments about the budget.";

let stack: Stack | undefined;
/** The browser reaches the web server through this proxy, so a test can cut its connections. */
let proxy: Proxy | undefined;
let base = "";
const state: { firstRun?: string; secondRun?: string; firstVersion?: string; secondVersion?: string } = {};

before(async () => {
  stack = await startStack({ context: { viewport: { width: 1280, height: 900 } } });
  await stack.database.db.user.create({ data: { email: VIEWER.email, passwordHash: await hashPassword(VIEWER.password), role: "viewer" } });
  proxy = await startProxy(new URL(stack.web.url));
  base = proxy.url;
  await signIn(stack.page, base, ADMIN.email, ADMIN.password);
});

after(async () => {
  await proxy?.close();
  await stack?.stop();
});

interface Proxy {
  url: string;
  /** Closes every open connection (an SSE stream included), as a dropped network would. */
  cut(): void;
  /** While blocked, new connections are closed as soon as they open. */
  block(on: boolean): void;
  close(): Promise<void>;
}

async function startProxy(target: URL): Promise<Proxy> {
  const sockets = new Set<net.Socket>();
  let blocked = false;
  const server = net.createServer((client) => {
    if (blocked) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client);
    sockets.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    cut: () => {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    block: (on) => {
      blocked = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Visible matches only: the app router keeps hidden copies of pages it navigated away from. */
const $ = (p: Page, selector: string) => p.locator(selector).filter({ visible: true });

async function startRun(p: Page, body: Record<string, unknown>): Promise<string> {
  const r = await p.request.post(`${stack!.web.url}/api/runs`, { data: body });
  assert.equal(r.status(), 202, await r.text());
  return ((await r.json()) as { id: string }).id;
}

async function runStatus(p: Page, id: string): Promise<{ status: string; candidateVersionId: string | null }> {
  const r = await p.request.get(`${stack!.web.url}/api/runs/${id}`);
  assert.equal(r.status(), 200);
  return (await r.json()) as { status: string; candidateVersionId: string | null };
}

/** Every log line of a run from the API (it answers at most 1000 per call). */
async function apiLogSeqs(p: Page, id: string): Promise<number[]> {
  const seqs: number[] = [];
  for (;;) {
    const r = await p.request.get(`${stack!.web.url}/api/runs/${id}/logs?after=${seqs.at(-1) ?? 0}`);
    assert.equal(r.status(), 200);
    const { lines } = (await r.json()) as { lines: { seq: number }[] };
    if (lines.length === 0) return seqs;
    seqs.push(...lines.map((l) => l.seq));
  }
}

const nav = (p: Page) => p.getByRole("navigation", { name: "Main" });

test("overview, runs and models before any run say what to do next", { timeout: 60_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("dashboard-empty", stack, async () => {
    await p.goto(`${base}/`);
    await p.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    const nothing = $(p, '[data-testid="nothing-serving"]');
    await nothing.waitFor();
    assert.match((await nothing.textContent()) ?? "", /Start a run, then press Override/);
    await $(p, '[data-testid="overview-runs-empty"]').waitFor();
    // The worker started in before(): its heartbeat shows on the (polling) overview.
    await p.waitForFunction(() => Number(document.querySelector('[data-testid="workers-alive"]')?.getAttribute("data-count")) >= 1, undefined, {
      timeout: 30_000,
    });
    // each worker says what it encodes on (WORKER_DEVICE; unset: the CPU)
    assert.equal((await $(p, '[data-testid="worker-device"]').first().textContent())?.trim(), "cpu");

    const links = (await nav(p).getByRole("link").allTextContents()).map((t) => t.trim());
    assert.deepEqual(links, ["Overview", "Runs", "New run", "Sweeps", "Models", "Data", "Predict", "Settings"]);

    await nav(p).getByRole("link", { name: "Runs", exact: true }).click();
    await p.waitForURL((u) => u.pathname === "/runs");
    await p.getByRole("heading", { name: "Training runs" }).waitFor();
    await $(p, '[data-testid="runs-empty"]').waitFor();
    assert.equal(await nav(p).getByRole("link", { name: "Runs", exact: true }).getAttribute("aria-current"), "page");

    await nav(p).getByRole("link", { name: "Models" }).click();
    await p.waitForURL((u) => u.pathname === "/models");
    const summary = $(p, '[data-testid="model-serving-summary"]').first();
    await summary.waitFor();
    assert.match((await summary.textContent()) ?? "", /No versions yet/);
  });
});

test("run page: the log survives a dropped event stream with no gap or duplicate; charts and Override when done", { timeout: 300_000 }, async (t) => {
  const p = stack!.page;
  await screenshotOnFailure("dashboard-run", stack, async () => {
    const eventRequests: Request[] = [];
    p.on("request", (r) => {
      if (/\/api\/runs\/[^/]+\/events/.test(r.url())) eventRequests.push(r);
    });
    const runId = await startRun(p, LONG_RUN);
    state.firstRun = runId;
    await p.goto(`${base}/runs/${runId}`);
    await p.getByRole("heading", { name: /Run on default/ }).waitFor();
    await $(p, '[data-testid="stream-state"]').filter({ hasText: "Live" }).waitFor();

    // Progress bar with phase while it runs.
    await $(p, '[data-testid="status-badge"][data-status="running"]').waitFor({ timeout: 60_000 });
    await p.getByRole("progressbar", { name: "Run progress" }).waitFor();
    assert.notEqual(((await $(p, '[data-testid="run-phase"]').textContent()) ?? "").trim(), "");

    // Wait for training log lines, then cut the connection while the run keeps logging.
    await p.waitForFunction(() => document.querySelectorAll('[data-testid="log-line"]').length >= 3, undefined, { timeout: 60_000 });
    const requestsBefore = eventRequests.length;
    proxy!.block(true);
    proxy!.cut();
    const seqAtDrop = await maxRenderedSeq(p);
    await $(p, '[data-testid="stream-state"]').filter({ hasText: "Reconnecting" }).waitFor({ timeout: 10_000 });
    // Stay away until the worker wrote more lines.
    const linesAtDrop = (await apiLogSeqs(p, runId)).length;
    await waitFor(
      "log lines written during the outage",
      async () => (await apiLogSeqs(p, runId)).length > linesAtDrop + 2 || (await runStatus(p, runId)).status !== "running",
      30_000,
      300,
    );
    const stillRunningAtReconnect = (await runStatus(p, runId)).status === "running";
    proxy!.block(false);

    await $(p, '[data-testid="status-badge"][data-status="succeeded"]').waitFor({ timeout: 180_000 });
    await $(p, '[data-testid="stream-state"]').filter({ hasText: "Run finished" }).waitFor({ timeout: 30_000 });
    const reconnects = eventRequests.slice(requestsBefore);
    assert.ok(reconnects.length >= 1, "the page should have reopened the event stream");
    const resumed = await Promise.all(
      reconnects.map(async (r) => {
        const h = await r.allHeaders();
        return h["last-event-id"] ?? new URL(r.url()).searchParams.get("after");
      }),
    );
    assert.ok(
      resumed.some((v) => v !== null && v !== undefined && Number(v) > 0),
      `a reconnect should resume from the last seq (Last-Event-ID or ?after=): ${JSON.stringify(resumed)}`,
    );

    const expected = await apiLogSeqs(p, runId);
    const rendered = await $(p, '[data-testid="log-line"]').evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-seq"))));
    assert.deepEqual(expected, Array.from({ length: expected.length }, (_, i) => i + 1), "the API's seqs are 1..n");
    assert.deepEqual(rendered, expected, "the page shows exactly the API's lines, in order, once each");
    assert.ok(expected.length > seqAtDrop, "lines were written after the drop");
    t.diagnostic(
      `dropped at seq ${seqAtDrop}; ${reconnects.length} reconnect request(s), resumed from ${JSON.stringify(resumed)}; ` +
        `run still running at reconnect: ${stillRunningAtReconnect}; ${expected.length} lines in all`,
    );

    // Auto-scroll pauses when scrolled up and resumes with the button.
    const log = $(p, '[data-testid="log-view"]');
    await log.evaluate((el) => {
      el.scrollTop = 0;
      el.dispatchEvent(new Event("scroll"));
    });
    await $(p, '[data-testid="log-follow-state"]').filter({ hasText: "Paused" }).waitFor();
    await $(p, '[data-testid="log-resume"]').click();
    await $(p, '[data-testid="log-follow-state"]').filter({ hasText: "Following" }).waitFor();
    assert.ok(
      await log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 24),
      "Jump to latest scrolls to the last line",
    );

    // Charts once done: grouped bars, per-class bars, loss curve, the new model's confusion matrix.
    await $(p, '[data-testid="compare-chart"] .recharts-bar-rectangle').first().waitFor();
    await $(p, '[data-testid="per-class-chart"] .recharts-bar-rectangle').first().waitFor();
    await $(p, ".recharts-line .recharts-line-curve").first().waitFor();
    assert.equal(await $(p, '[data-testid="confusion-matrix"]').count(), 1, "no old model, so one matrix");
    await $(p, '[data-testid="no-old-model"]').waitFor();

    // Override, confirmed.
    await p.getByRole("button", { name: "Override", exact: true }).click();
    const dialog = p.getByRole("dialog");
    await dialog.getByRole("button", { name: "Confirm override" }).click();
    await $(p, '[data-testid="serving-badge"]').waitFor();
    state.firstVersion = (await runStatus(p, runId)).candidateVersionId ?? undefined;
    assert.ok(state.firstVersion);
  });
});

async function maxRenderedSeq(p: Page): Promise<number> {
  return p.evaluate(() =>
    Math.max(0, ...[...document.querySelectorAll('[data-testid="log-line"]')].filter((e) => e.checkVisibility()).map((e) => Number(e.getAttribute("data-seq")))),
  );
}

test("a second run compares old and new: both matrices, counts / row-normalised, deltas in the Override dialog", { timeout: 240_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("dashboard-second-run", stack, async () => {
    const runId = await startRun(p, SECOND_RUN);
    state.secondRun = runId;
    await waitFor("the second run to finish", async () => ((await runStatus(p, runId)).status === "succeeded" ? true : null), 180_000, 500);
    await p.goto(`${base}/runs/${runId}`);
    const matrices = $(p, '[data-testid="confusion-matrix"]');
    await matrices.nth(1).waitFor();
    assert.equal(await matrices.count(), 2);
    // old and new bars, and a delta label over each pair
    await p.waitForFunction(() => document.querySelectorAll('[data-testid="compare-chart"] .recharts-bar-rectangle').length >= 14);

    const firstCell = matrices.first().locator('[data-testid="cm-cell"]').first();
    assert.match(((await firstCell.textContent()) ?? "").trim(), /^\d+$/);
    await p.getByRole("radio", { name: "Row-normalised %" }).check();
    await p.waitForFunction(() => document.querySelectorAll('[data-testid="confusion-matrix"][data-mode="normalised"]').length === 2);
    assert.match(((await firstCell.textContent()) ?? "").trim(), /^\d+\.\d %$/);
    // each row sums to 100 %
    const rowSums = await matrices.first().locator("tbody tr").evaluateAll((rows) =>
      rows.map((r) => [...r.querySelectorAll("td")].reduce((s, td) => s + Number.parseFloat(td.textContent ?? "0"), 0)),
    );
    for (const sum of rowSums) assert.ok(Math.abs(sum - 100) < 0.3, `row sums to ${sum}`);
    await p.getByRole("radio", { name: "Counts" }).check();

    await p.getByRole("button", { name: "Override", exact: true }).click();
    const dialog = p.getByRole("dialog");
    const deltas = dialog.locator('[data-testid="override-deltas"]');
    await deltas.waitFor();
    assert.equal(await deltas.locator("tbody tr").count(), 7, "accuracy and weighted/macro precision, recall, F1");
    assert.ok((await deltas.locator('[data-testid="delta"]').count()) >= 1);
    await dialog.getByRole("button", { name: "Confirm override" }).click();
    await $(p, '[data-testid="serving-badge"]').waitFor();
    state.secondVersion = (await runStatus(p, runId)).candidateVersionId ?? undefined;
  });
});

test("models page: roll back and promote move the serving badge", { timeout: 60_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("dashboard-models", stack, async () => {
    const { firstVersion, secondVersion } = state;
    assert.ok(firstVersion && secondVersion, "needs the two versions of the earlier tests");
    await p.goto(`${base}/models`);
    const row = (id: string) => $(p, `[data-testid="version-row"][data-version-id="${id}"]`);
    await row(secondVersion).locator('[data-testid="version-serving-badge"]').waitFor();
    assert.equal(await $(p, '[data-testid="version-row"]').count(), 2);
    await $(p, '[data-testid="versions-chart"] .recharts-line').first().waitFor();
    assert.equal(await row(firstVersion).getByRole("link", { name: /Export/ }).getAttribute("href"), `/api/models/versions/${firstVersion}/export`);

    await p.getByRole("button", { name: "Roll back to v1" }).click();
    await p.getByRole("dialog").getByRole("button", { name: "Confirm roll back" }).click();
    await row(firstVersion).locator('[data-testid="version-serving-badge"]').waitFor();
    assert.equal(await row(secondVersion).locator('[data-testid="version-serving-badge"]').count(), 0);
    const models = (await p.request.get(`${stack!.web.url}/api/models`).then((r) => r.json())) as { models: { servingVersionId: string }[] };
    assert.equal(models.models[0]?.servingVersionId, firstVersion);

    await row(secondVersion).getByRole("button", { name: /^Promote v2/ }).click();
    await p.getByRole("dialog").getByRole("button", { name: "Confirm promote" }).click();
    await row(secondVersion).locator('[data-testid="version-serving-badge"]').waitFor();
    assert.equal(await row(firstVersion).locator('[data-testid="version-serving-badge"]').count(), 0);
  });
});

test("overview after runs: serving metrics, who promoted, latest runs, workers", { timeout: 60_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("dashboard-overview", stack, async () => {
    await p.goto(`${base}/`);
    const card = $(p, '[data-testid="overview-model"][data-model="default"]');
    await card.waitFor();
    assert.match((await card.locator('[data-testid="serving-accuracy"]').textContent()) ?? "", /^\d+\.\d %$/);
    assert.equal(((await card.locator('[data-testid="serving-version"]').textContent()) ?? "").trim(), state.secondVersion!.slice(0, 10));
    assert.match((await card.locator('[data-testid="promoted"]').textContent()) ?? "", new RegExp(`by ${ADMIN.email.replace(".", "\\.")}`));
    const runs = $(p, '[data-testid="overview-run"]');
    assert.equal(await runs.count(), 2);
    assert.equal(await runs.first().getAttribute("data-run-id"), state.secondRun);
    assert.equal(await $(p, '[data-testid="overview-run"] [data-testid="status-badge"][data-status="succeeded"]').count(), 2);
    await p.waitForFunction(() => Number(document.querySelector('[data-testid="workers-alive"]')?.getAttribute("data-count")) === 1);

    // The runs list has both, newest first, with a working status filter.
    await p.goto(`${base}/runs`);
    await $(p, '[data-testid="run-row"]').nth(1).waitFor();
    await p.getByLabel("Status").selectOption("failed");
    await $(p, '[data-testid="runs-empty"]').waitFor();
  });
});

test("predict: several lines and a CSV column, with score bars, the answering version and the time", { timeout: 60_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("dashboard-predict", stack, async () => {
    await p.goto(`${base}/predict`);
    await p.getByLabel("Texts to classify").fill(`${SPAM}\n${HAM}\n\n${HAM2}\n`);
    await p.getByRole("button", { name: "Predict" }).click();
    await $(p, '[data-testid="predictions"], [data-testid="predict-error"]').first().waitFor();
    if ((await $(p, '[data-testid="predict-error"]').count()) > 0) throw new Error(`prediction failed: ${await $(p, '[data-testid="predict-error"]').first().textContent()}`);
    await $(p, '[data-testid="prediction"]').nth(2).waitFor();
    assert.equal(await $(p, '[data-testid="prediction"]').count(), 3);
    assert.deepEqual((await $(p, '[data-testid="predicted-label"]').allTextContents()).map((s) => s.trim()), ["spam", "ham", "ham"]);
    assert.equal(await $(p, '[data-testid="prediction"]').first().locator('[data-testid="score-bar"]').count(), 2);
    assert.equal(((await $(p, '[data-testid="predict-version"]').textContent()) ?? "").trim(), state.secondVersion);
    assert.match((await $(p, '[data-testid="predict-elapsed"]').textContent()) ?? "", /^\d+\.\d ms$/);

    await p.getByRole("radio", { name: "Upload a CSV" }).check();
    const csv = `id,subject,body\n1,offer,"${SPAM.replace(/"/g, '""')}"\n2,meeting,"${HAM}"\n`;
    await p.getByLabel("CSV file").setInputFiles({ name: "mails.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await $(p, '[data-testid="csv-summary"]').waitFor();
    assert.equal(await p.getByLabel("Text column").inputValue(), "2", "the body column is guessed");
    await p.getByRole("button", { name: "Predict" }).click();
    await p.waitForFunction(() => [...document.querySelectorAll('[data-testid="prediction"]')].filter((e) => e.checkVisibility()).length === 2);
    assert.deepEqual((await $(p, '[data-testid="predicted-label"]').allTextContents()).map((s) => s.trim()), ["spam", "ham"]);
  });
});

test("cancel a running run from its page", { timeout: 120_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("dashboard-cancel", stack, async () => {
    const runId = await startRun(p, { ...LONG_RUN, num_train_epochs: 40, logging_steps: 50 });
    await p.goto(`${base}/runs/${runId}`);
    await $(p, '[data-testid="status-badge"][data-status="running"]').waitFor({ timeout: 60_000 });
    await p.getByRole("button", { name: "Cancel run" }).click();
    await p.getByRole("dialog").getByRole("button", { name: "Cancel run" }).click();
    await $(p, '[data-testid="status-badge"][data-status="cancelled"]').waitFor({ timeout: 60_000 });
  });
});

test("a viewer sees no Override, Cancel, New run or Settings, and the API refuses them", { timeout: 120_000 }, async () => {
  const v = await openPage(stack!.browser, { viewport: { width: 1280, height: 900 } });
  let longRun: string | undefined;
  try {
    await screenshotOnFailure("dashboard-viewer", { ...stack!, page: v }, async () => {
      await signIn(v, base, VIEWER.email, VIEWER.password);
      await v.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
      const links = (await nav(v).getByRole("link").allTextContents()).map((s) => s.trim());
      assert.deepEqual(links, ["Overview", "Runs", "Sweeps", "Models", "Data", "Predict"]);
      assert.equal(await v.getByRole("link", { name: "New run" }).count(), 0);

      // The first run's version does not serve: an admin would see Override.
      await v.goto(`${base}/runs/${state.firstRun}`);
      await $(v, '[data-testid="candidate"]').waitFor();
      assert.equal(await v.getByRole("button", { name: "Override" }).count(), 0);

      // A running run: no Cancel for a viewer.
      longRun = await startRun(stack!.page, { ...LONG_RUN, num_train_epochs: 40, logging_steps: 50 });
      await v.goto(`${base}/runs/${longRun}`);
      await $(v, '[data-testid="status-badge"][data-status="running"], [data-testid="status-badge"][data-status="queued"]').first().waitFor();
      await v.getByRole("heading", { name: /Run on default/ }).waitFor();
      assert.equal(await v.getByRole("button", { name: /Cancel/ }).count(), 0);

      await v.goto(`${base}/models`);
      await $(v, '[data-testid="version-row"]').first().waitFor();
      assert.equal(await v.getByRole("button", { name: /Promote|Roll back/ }).count(), 0);

      const post = (url: string, data: unknown) => v.request.post(`${base}${url}`, { data });
      assert.equal((await post(`/api/runs/${longRun}/cancel`, {})).status(), 403);
      assert.equal((await post(`/api/models/default/promote`, { versionId: state.firstVersion })).status(), 403);
      assert.equal((await post(`/api/runs`, LONG_RUN)).status(), 403);
      assert.equal((await post(`/api/tokens`, { name: "t" })).status(), 403);
      // and nothing changed
      const models = (await v.request.get(`${base}/api/models`).then((r) => r.json())) as { models: { servingVersionId: string }[] };
      assert.equal(models.models[0]?.servingVersionId, state.secondVersion);
      assert.equal((await runStatus(v, longRun)).status === "cancelled", false);
    });
  } finally {
    if (longRun) await stack!.page.request.post(`${base}/api/runs/${longRun}/cancel`, { data: {} }).catch(() => {});
    await v.context().close();
  }
});
