// Every page of the dashboard at a phone's width (390×844) and at a desktop's (1280×900), in the
// light and the dark colour scheme: the page itself never scrolls sideways (the document's and the
// body's scrollWidth fit the viewport), no chart text is cut at its chart's edge and no two axis
// labels overlap; at 390 px the navigation is one row, and a run's log lines one row each. The
// pages are those under app/(auth) and app/(dashboard): a page added there without a URL here fails
// the test until it gets one. (Functions run in the page have no named inner functions: tsx would
// wrap those in a helper that exists only in Node.)
import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { screenshotOnFailure, settle, signIn, startStack, visible, type Stack } from "../helpers/browser";
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
  logging_steps: 5,
  seed: 42,
};

const SIZES = [
  { width: 390, height: 844 },
  { width: 1280, height: 900 },
] as const;
const SCHEMES = ["light", "dark"] as const;

let stack: Stack | undefined;
let base = "";
let runId = "";
let firstRunId = "";
let sweepId = "";

before(async () => {
  stack = await startStack({ context: { viewport: SIZES[0] } });
  base = stack.web.url;
});

after(async () => {
  await stack?.stop();
});

/** The app's page routes ("/", "/runs/[id]", "/login"), from the page.tsx files under app/(auth) and app/(dashboard). */
function pageRoutes(): string[] {
  const routes: string[] = [];
  const walk = (dir: string, route: string) => {
    for (const e of readdirSync(dir)) {
      const p = path.join(dir, e);
      if (statSync(p).isDirectory()) walk(p, /^\(.*\)$/.test(e) ? route : `${route}/${e}`);
      else if (e === "page.tsx") routes.push(route || "/");
    }
  };
  for (const group of ["(auth)", "(dashboard)"]) walk(path.join(process.cwd(), "app", group), "");
  return routes.sort();
}

/** A run that ended succeeded; returns its id and its candidate version. */
async function finishedRun(p: Page, body: Record<string, unknown>): Promise<{ id: string; versionId: string }> {
  const r = await p.request.post(`${base}/api/runs`, { data: body });
  assert.equal(r.status(), 202, await r.text());
  const { id } = (await r.json()) as { id: string };
  return waitFor(
    `run ${id} to succeed`,
    async () => {
      const s = (await (await p.request.get(`${base}/api/runs/${id}`)).json()) as { status: string; candidateVersionId: string | null; error: string | null };
      if (s.status === "failed" || s.status === "cancelled") throw new Error(`run ${s.status}: ${s.error}`);
      return s.status === "succeeded" ? { id, versionId: s.candidateVersionId! } : null;
    },
    180_000,
    500,
  );
}

/** What is wrong with the page's layout at its viewport's width, as sentences; [] when nothing. */
async function layoutProblems(p: Page, width: number): Promise<string[]> {
  return p.evaluate((width) => {
    const out: string[] = [];
    const doc = document.documentElement;
    for (const [name, el] of [["document", doc], ["body", document.body]] as const) {
      if (el.scrollWidth > width) {
        // The elements that reach past the viewport and are not inside a box that scrolls sideways.
        const wide = [...document.querySelectorAll<HTMLElement>("body *")]
          .filter((e) => e.getBoundingClientRect().right > width + 0.5 && e.getClientRects().length > 0)
          .filter((e) => {
            for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
              const o = getComputedStyle(a).overflowX;
              if (o === "auto" || o === "scroll" || o === "hidden") return false;
            }
            return true;
          })
          .slice(0, 6)
          .map((e) => `<${e.tagName.toLowerCase()} class="${e.className}" data-testid="${e.dataset.testid ?? ""}"> right ${Math.round(e.getBoundingClientRect().right)}`);
        out.push(`${name}.scrollWidth ${el.scrollWidth} > ${width}: ${wide.join("; ")}`);
      }
    }
    for (const svg of document.querySelectorAll<SVGSVGElement>("svg.recharts-surface")) {
      if (svg.getClientRects().length === 0) continue;
      const box = svg.getBoundingClientRect();
      const chart = svg.closest("[data-testid]")?.getAttribute("data-testid") ?? svg.closest("[aria-label]")?.getAttribute("aria-label")?.slice(0, 40) ?? "a chart";
      for (const t of svg.querySelectorAll<SVGTextElement>("text")) {
        const r = t.getBoundingClientRect();
        if (!t.textContent?.trim() || r.width === 0) continue;
        if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) out.push(`${chart}: "${t.textContent}" is cut at the chart's edge`);
      }
      // Axis tick labels of one axis, the change labels over the bars, the axis titles and the
      // legend's entries must not overlap each other.
      const legend = [...(svg.closest(".recharts-wrapper")?.querySelectorAll<HTMLElement>(".recharts-legend-item") ?? [])];
      const titles = [...svg.querySelectorAll<SVGTextElement>(".recharts-label")];
      const sets: Element[][] = [
        ...[...svg.querySelectorAll(".recharts-cartesian-axis-tick-labels")].map((g) => [...g.querySelectorAll("text")]),
        [...legend, ...titles, ...svg.querySelectorAll(".recharts-label-list text")],
      ];
      for (const set of sets) {
        const texts = set.filter((t) => t.textContent?.trim());
        for (let i = 0; i < texts.length; i++)
          for (let j = i + 1; j < texts.length; j++) {
            const a = texts[i].getBoundingClientRect();
            const b = texts[j].getBoundingClientRect();
            if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) out.push(`${chart}: "${texts[i].textContent}" overlaps "${texts[j].textContent}"`);
          }
      }
    }
    return out;
  }, width);
}

/** At a phone's width: the navigation's links lie in one row. */
async function navProblems(p: Page): Promise<string[]> {
  return p.evaluate(() => {
    const links = [...document.querySelectorAll<HTMLElement>('nav[aria-label="Main"] a')];
    const tops = new Set(links.map((a) => Math.round(a.getBoundingClientRect().top)));
    return tops.size > 1 ? [`the navigation takes ${tops.size} rows`] : [];
  });
}

/** At a phone's width: each log line is one row (long ones scroll sideways inside the log). */
async function logProblems(p: Page): Promise<string[]> {
  return p.evaluate(() => {
    const lines = [...document.querySelectorAll<HTMLElement>('[data-testid="log-line"]')];
    if (lines.length === 0) return ["the run page shows no log lines"];
    const rowHeight = parseFloat(getComputedStyle(lines[0]).lineHeight) || 16;
    const tall = lines.filter((l) => l.getBoundingClientRect().height > rowHeight * 1.5);
    return tall.length ? [`${tall.length} of ${lines.length} log lines wrap, e.g. #${tall[0].dataset.seq} (${Math.round(tall[0].getBoundingClientRect().height)} px high)`] : [];
  });
}

test("two finished runs, the first one serving (so the run page compares old and new)", { timeout: 400_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("phone-runs", stack, async () => {
    await signIn(p, base, ADMIN.email, ADMIN.password);
    const first = await finishedRun(p, { ...SMALL_RUN, num_train_epochs: 1, seed: 1 });
    const promoted = await p.request.post(`${base}/api/models/default/promote`, { data: { versionId: first.versionId } });
    assert.ok(promoted.ok(), await promoted.text());
    runId = (await finishedRun(p, SMALL_RUN)).id;
    firstRunId = first.id;
    // A sweep's page (its runs need not have finished to be shown).
    const sweep = await p.request.post(`${base}/api/sweeps`, { data: { request: { ...SMALL_RUN, num_train_epochs: 1 }, grid: { learning_rate: [0.01, 0.02] } } });
    assert.equal(sweep.status(), 201, await sweep.text());
    sweepId = ((await sweep.json()) as { id: string }).id;
  });
});

test("every page at 390 and 1280 px, light and dark: no sideways scrolling of the page, no cut or overlapping chart text", { timeout: 600_000 }, async () => {
  assert.ok(runId, "needs the runs of the previous test");
  const browser: Browser = stack!.browser;
  const signedIn = await stack!.context.storageState();
  const urls: Record<string, string> = {
    "/login": "/login",
    "/": "/",
    "/runs": "/runs",
    "/runs/new": "/runs/new",
    "/runs/[id]": `/runs/${runId}`,
    "/runs/compare": `/runs/compare?ids=${firstRunId},${runId}`,
    "/sweeps/[id]": `/sweeps/${sweepId}`,
    "/models": "/models",
    "/data": "/data",
    "/predict": "/predict",
    "/settings": "/settings",
  };
  const routes = pageRoutes();
  const unknown = routes.filter((r) => !(r in urls) && r.includes("["));
  assert.deepEqual(unknown, [], `pages with a dynamic segment that this test cannot visit yet (add a URL for each to \`urls\`): ${unknown.join(", ")}`);
  for (const r of routes) urls[r] ??= r;

  const problems: string[] = [];
  for (const size of SIZES) {
    for (const colorScheme of SCHEMES) {
      for (const route of routes) {
        const signedOut = route === "/login";
        const options: BrowserContextOptions = { viewport: size, colorScheme, ...(signedOut ? {} : { storageState: signedIn }) };
        const context = await browser.newContext(options);
        const p = await context.newPage();
        p.setDefaultTimeout(30_000);
        const label = `${route} at ${size.width} px, ${colorScheme}`;
        try {
          await screenshotOnFailure(`phone-${size.width}-${colorScheme}-${route.replace(/\W+/g, "_")}`, { ...stack!, page: p }, async () => {
            await p.goto(`${base}${urls[route]}`);
            await settle(p);
            if (route === "/runs/[id]") {
              await visible(p, '[data-testid="status-badge"][data-status="succeeded"]').first().waitFor();
              await visible(p, '[data-testid="compare-chart"] .recharts-bar-rectangle').first().waitFor();
              await visible(p, '[data-testid="loss-chart"] .recharts-line').first().waitFor();
              await visible(p, '[data-testid="log-line"]').first().waitFor();
              await p.waitForTimeout(300);
            }
            if (route === "/models") await visible(p, '[data-testid="versions-chart"] .recharts-line').first().waitFor();
            const found = await layoutProblems(p, size.width);
            if (size.width < 500 && !signedOut) found.push(...(await navProblems(p)));
            if (size.width < 500 && route === "/runs/[id]") found.push(...(await logProblems(p)));
            for (const f of found) console.log(`[${label}] ${f}`);
            problems.push(...found.map((f) => `${label}: ${f}`));
            // Pictures of the pages with charts (and of each chart), and of any page with a problem, for a person to look at.
            const shots = path.join(process.cwd(), "tests", ".tmp", "browser");
            if (colorScheme === "light" && ["/runs/[id]", "/models"].includes(route)) {
              for (const [i, chart] of (await visible(p, ".chart").all()).entries()) await chart.screenshot({ path: path.join(shots, `phone-${size.width}-chart-${route.replace(/\W+/g, "_")}-${i}.png`) }).catch(() => {});
            }
            if (found.length || (colorScheme === "light" && ["/runs/[id]", "/models", "/"].includes(route))) await p.screenshot({ path: path.join(process.cwd(), "tests", ".tmp", "browser", `phone-${size.width}-${colorScheme}-${route.replace(/\W+/g, "_")}.png`), fullPage: true }).catch(() => {});
          });
        } finally {
          await context.close();
        }
      }
    }
  }
  assert.deepEqual(problems, [], problems.join("\n"));
});

test("the run page at 390 px: the loss chart's log scale toggles, its x axis is in epochs, the learning rate has its own axis", { timeout: 120_000 }, async () => {
  assert.ok(runId, "needs the runs of the first test");
  const p = stack!.page;
  await screenshotOnFailure("phone-loss", stack, async () => {
    await p.goto(`${base}/runs/${runId}`);
    const chart = visible(p, '[data-testid="loss-chart"]').first();
    await chart.locator(".recharts-line").first().waitFor();
    const legend = await chart.locator(".recharts-legend-wrapper").innerText();
    for (const name of ["train loss", "eval loss", "learning rate"]) assert.match(legend, new RegExp(name), `legend: ${legend}`);
    const titles = await chart.locator(".recharts-label").allTextContents();
    assert.deepEqual([...titles].sort(), ["Epoch", "Learning rate", "Loss (cross-entropy)"], `axis titles: ${titles.join(", ")}`);
    // Two epochs: the x axis runs from 0 to 2.
    const ticks = await chart.locator(".recharts-xAxis-tick-labels text").allTextContents();
    assert.equal(ticks[0], "0", `x ticks: ${ticks.join(", ")}`);
    assert.equal(ticks[ticks.length - 1], "2", `x ticks: ${ticks.join(", ")}`);
    assert.equal(await chart.getAttribute("data-scale"), "linear");
    await chart.getByRole("radio", { name: "Log", exact: true }).check();
    await p.waitForFunction(() => document.querySelector('[data-testid="loss-chart"][data-scale="log"] .recharts-line path'));
    assert.deepEqual(await layoutProblems(p, 390), []);
  });
});
