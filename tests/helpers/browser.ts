import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";
import { createTestDatabase, tmpDir, type TestDatabase } from "./db";
import { startWebProcess, startWorkerProcess, waitFor, type Proc } from "./processes";

// What the browser tests (and `npm run screenshots`) start: a prepared database, the web server and
// a worker sharing one models folder, and Debian's chromium with one signed-out page.

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
  "--disable-quic",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

/** A page in a new context of `browser`, with `timeoutMs` as its default timeout. */
export async function openPage(browser: Browser, options: BrowserContextOptions = {}, timeoutMs = 30_000): Promise<Page> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.setDefaultTimeout(timeoutMs);
  return page;
}

export interface Stack {
  database: TestDatabase;
  modelsDir: string;
  web: Proc & { url: string };
  worker: Proc;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Closes the browser, stops the worker and the web server, drops the database. */
  stop(): Promise<void>;
}

export async function startStack(opts: { context?: BrowserContextOptions; timeoutMs?: number } = {}): Promise<Stack> {
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    let error: unknown;
    for (const s of stops.splice(0).reverse()) await s().catch((err) => (error ??= err));
    if (error) throw error;
  };
  try {
    const database = await createTestDatabase();
    stops.push(() => database.drop());
    const modelsDir = tmpDir("models");
    const web = await startWebProcess({ DATABASE_URL: database.url, NEXTAUTH_SECRET: database.authSecret, MODELS_DIR: modelsDir });
    stops.push(() => web.stop());
    const worker = startWorkerProcess({ DATABASE_URL: database.url, MODELS_DIR: modelsDir });
    stops.push(() => worker.stop());
    const browser = await launchChromium();
    stops.push(() => browser.close().catch(() => {}));
    const page = await openPage(browser, opts.context, opts.timeoutMs);
    return { database, modelsDir, web, worker, browser, context: page.context(), page, stop };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}

/** Signs in on `url`'s login page (after dropping the page's cookies) and waits for the overview. */
export async function signIn(page: Page, url: string, email: string, password: string): Promise<void> {
  await page.context().clearCookies();
  await page.goto(`${url}/login`);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => u.pathname === "/");
}

/** Visible matches only: the app router keeps hidden copies of pages it navigated away from. */
export const visible = (p: Page, selector: string) => p.locator(selector).filter({ visible: true });

/** Waits for the page's h1 and for its queries to settle (no "Loading…" left). */
export async function settle(p: Page): Promise<void> {
  await visible(p, "h1").first().waitFor();
  await p.waitForFunction(() => !/Loading…|Loading\.\.\./.test(document.body.innerText), undefined, { timeout: 20_000 }).catch(() => {});
  await p.waitForTimeout(400);
}

/**
 * Runs `fn`; when it throws, saves a screenshot of the stack's page (pass `{ ...stack, page }` for
 * another one) as tests/.tmp/browser/<name>-failure.png and prints the web and worker output.
 */
export async function screenshotOnFailure<T>(name: string, stack: Pick<Stack, "web" | "worker" | "page"> | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const page = stack?.page;
    if (page) {
      // Not under TEST_TMP: the runner deletes that folder when it exits.
      const dir = path.join(process.cwd(), "tests", ".tmp", "browser");
      mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${name}-failure.png`);
      await page.screenshot({ path: file, fullPage: true }).catch(() => {});
      console.error(`screenshot: ${file}`);
    }
    console.error(`--- web output (tail) ---\n${stack?.web.output().slice(-4000)}`);
    console.error(`--- worker output (head) ---\n${stack?.worker.output().slice(0, 3000)}`);
    console.error(`--- worker output (tail) ---\n${stack?.worker.output().slice(-3000)}`);
    throw err;
  }
}

/** Fails when the page scrolls sideways, naming the innermost elements past the right edge (inside a scrolling table is fine). */
export async function noHorizontalScroll(p: Page, where: string) {
  const { scroll, width, wide } = await p.evaluate(() => {
    const w = window.innerWidth;
    // the innermost elements that reach past the right edge (inside a scrolling table is fine)
    const wide = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > w + 1 && !el.parentElement?.closest(".table-wrap") && ![...el.children].some((c) => c.getBoundingClientRect().right > w + 1))
      .slice(0, 8)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}.${[...el.classList].join(".")} (${Math.round(el.getBoundingClientRect().right)} px)`);
    return { scroll: document.documentElement.scrollWidth, width: w, wide };
  });
  assert.ok(scroll <= width, `${where}: the page scrolls sideways (${scroll} > ${width} px): ${wide.join(", ")}`);
}

/**
 * Fills the New run page's request editor with `body`, once the form has put its example there:
 * the form fills the editor when the models are loaded, and typing before that lands before the
 * example (seen in CI: "…}{ example }"). The router may keep an earlier visit of the page mounted
 * but hidden: this acts on the visible one.
 */
export async function fillNewRunRequest(p: Page, body: unknown): Promise<void> {
  const editor = p.getByLabel("Training request (JSON)").filter({ visible: true });
  await p.waitForFunction(() => [...document.querySelectorAll("#nr-model option")].some((o) => /^Default model \(/.test(o.textContent ?? "")));
  await waitFor("the editor's example request", async () => (await editor.inputValue()).includes('"table"'), 30_000);
  await editor.fill(JSON.stringify(body, null, 2));
}
