// `npm run screenshots`: the README's pictures, made from a real run. Starts a throw-away embedded
// PostgreSQL, web server and worker (as the browser tests do), trains on demo_email twice and
// promotes both versions, so the second run's page compares an old and a new model, then writes
// docs/screenshots/overview.png and docs/screenshots/run.png (1280 px wide, light theme), and
// docs/screenshots/run-phone.png (the same run page on a phone: 390 px wide).
import { spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { buildWeb, webBuildIsCurrent } from "../lib/web-build";

const root = process.cwd();
const outDir = path.join(root, "docs", "screenshots");
// Under the repository, like the test runner's: PostgreSQL runs as its own user when we are root,
// and must be able to enter the folder (mkdtemp's 0700 would shut it out).
const tmp = path.join(root, "tests", ".tmp", `screenshots-${process.pid}`);
mkdirSync(tmp, { recursive: true });
process.env.TEST_TMP = tmp;

const REQUEST = {
  columns: "label,text",
  table: "demo_email",
  p_of_train: 0.8,
  evaluation_strategy: "epoch",
  learning_rate: 0.01,
  num_train_epochs: 3,
  logging_steps: 200,
  seed: 42,
};

function log(message: string) {
  console.log(`[screenshots] ${message}`);
}

async function startPostgres(): Promise<{ adminUrl: string; stop: () => Promise<void> }> {
  const server = spawn(process.execPath, ["--import", "tsx", "scripts/embedded-postgres.ts", path.join(tmp, "pg"), "0", "--ephemeral"], {
    cwd: root,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const adminUrl = await new Promise<string>((resolve, reject) => {
    let buf = "";
    server.stdout.on("data", (d) => {
      buf += d;
      const m = buf.match(/^READY (\S+)$/m);
      if (m) resolve(`${m[1]}/postgres`);
      const f = buf.match(/^FAILED (.*)$/m);
      if (f) reject(new Error(`PostgreSQL did not start: ${f[1]}`));
    });
    server.on("exit", (code) => reject(new Error(`PostgreSQL exited (${code})`)));
  });
  return {
    adminUrl,
    stop: () =>
      new Promise((resolve) => {
        if (server.exitCode !== null) return resolve();
        server.once("exit", () => resolve());
        server.kill("SIGTERM");
      }),
  };
}

async function waitForRun(page: Page, base: string, id: string): Promise<{ status: string; candidateVersionId: string | null; error: string | null }> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const run = (await (await page.request.get(`${base}/api/runs/${id}`)).json()) as { status: string; candidateVersionId: string | null; error: string | null };
    if (!["queued", "running"].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} did not finish`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function trainAndPromote(page: Page, base: string, body: Record<string, unknown>): Promise<string> {
  const queued = await page.request.post(`${base}/api/runs`, { data: body });
  if (queued.status() !== 202) throw new Error(`could not queue a run: ${await queued.text()}`);
  const { id } = (await queued.json()) as { id: string };
  log(`run ${id} queued`);
  const run = await waitForRun(page, base, id);
  if (run.status !== "succeeded" || !run.candidateVersionId) throw new Error(`run ${id} ${run.status}: ${run.error ?? ""}`);
  const promoted = await page.request.post(`${base}/api/models/default/promote`, { data: { versionId: run.candidateVersionId } });
  if (!promoted.ok()) throw new Error(`could not promote: ${await promoted.text()}`);
  log(`run ${id} succeeded; version ${run.candidateVersionId} serves`);
  return id;
}

const pg = await startPostgres();
process.env.TEST_PG_ADMIN_URL = pg.adminUrl;
// Imported after TEST_PG_ADMIN_URL is set.
const { ADMIN } = await import("../tests/helpers/db");
const { signIn, startStack } = await import("../tests/helpers/browser");

let exitCode = 0;
const cleanups: (() => Promise<unknown>)[] = [];
try {
  if (!(await webBuildIsCurrent(root))) {
    log("building the web app…");
    await buildWeb(root, { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" });
  }
  const stack = await startStack({ context: { viewport: { width: 1280, height: 900 }, colorScheme: "light", deviceScaleFactor: 1 }, timeoutMs: 60_000 });
  cleanups.push(() => stack.stop());
  const { page } = stack;
  const base = stack.web.url;
  await signIn(page, base, ADMIN.email, ADMIN.password);

  // Two runs, so the second one compares a serving model (a quick one on 400 rows) with a new one.
  const firstId = await trainAndPromote(page, base, { ...REQUEST, limit: 400, num_train_epochs: 1, logging_steps: 2, seed: 1 });
  const runId = await trainAndPromote(page, base, REQUEST);

  mkdirSync(outDir, { recursive: true });
  await page.goto(`${base}/`);
  await page.locator('[data-testid="serving-accuracy"]').first().waitFor();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="workers-alive"]')?.getAttribute("data-count")) >= 1);
  await page.screenshot({ path: path.join(outDir, "overview.png"), fullPage: true });
  log(`wrote ${path.relative(root, path.join(outDir, "overview.png"))}`);

  await page.goto(`${base}/runs/${runId}`);
  await page.locator('[data-testid="compare-chart"] .recharts-bar-rectangle').first().waitFor();
  await page.locator('[data-testid="stream-state"]', { hasText: "Run finished" }).waitFor();
  await page.getByRole("radio", { name: "Row-normalised %" }).check();
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(outDir, "run.png"), fullPage: true });
  log(`wrote ${path.relative(root, path.join(outDir, "run.png"))}`);

  // The two runs compared: loss curves overlaid, scores, the arguments that differ, F1 per class.
  await page.goto(`${base}/runs/compare?ids=${firstId},${runId}`);
  await page.locator('[data-testid="arguments-table"]').waitFor();
  const chartLabel = await page.locator('[data-testid="compare-loss-chart"] [role="img"]').getAttribute("aria-label");
  log(`compare chart: ${chartLabel}`);
  await page.waitForTimeout(1000);
  await page.screenshot({ path: path.join(outDir, "compare.png"), fullPage: true });
  log(`wrote ${path.relative(root, path.join(outDir, "compare.png"))}`);

  // The run page on a phone, signed in with the same cookies.
  const phone = await stack.browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: "light", deviceScaleFactor: 1, storageState: await stack.context.storageState() });
  cleanups.push(() => phone.close());
  const phonePage = await phone.newPage();
  phonePage.setDefaultTimeout(60_000);
  await phonePage.goto(`${base}/runs/${runId}`);
  await phonePage.locator('[data-testid="compare-chart"] .recharts-bar-rectangle').first().waitFor();
  await phonePage.locator('[data-testid="stream-state"]', { hasText: "Run finished" }).waitFor();
  await phonePage.waitForTimeout(300);
  await phonePage.screenshot({ path: path.join(outDir, "run-phone.png"), fullPage: true });
  log(`wrote ${path.relative(root, path.join(outDir, "run-phone.png"))}`);
} catch (err) {
  console.error(`[screenshots] failed: ${(err as Error).stack ?? err}`);
  exitCode = 1;
} finally {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  await pg.stop();
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(exitCode);
