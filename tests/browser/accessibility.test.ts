// Accessibility in a real browser: the axe-core engine (WCAG 2 A and AA rules) on every page, in
// the light and the dark colour scheme, must find nothing "serious" or "critical"; and the keyboard
// paths: signing in with Tab and Enter, and reaching Override on a run page, whose confirm dialog
// keeps focus inside and closes on Escape.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { screenshotOnFailure, settle, signIn, startStack, visible as $, type Stack } from "../helpers/browser";
import { ADMIN } from "../helpers/db";
import { createSweep } from "../../lib/sweeps/store";
import { waitFor } from "../helpers/processes";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const SMALL_RUN = {
  columns: "label,text",
  table: "demo_email",
  limit: 300,
  p_of_train: 0.8,
  evaluation_strategy: "epoch",
  learning_rate: 0.01,
  num_train_epochs: 1,
  logging_steps: 50,
  seed: 42,
};

const SCHEMES = ["light", "dark"] as const;

let stack: Stack | undefined;
let base = "";
let runId = "";

before(async () => {
  stack = await startStack({ context: { viewport: { width: 1280, height: 900 } } });
  base = stack.web.url;
});

after(async () => {
  await stack?.stop();
});

interface AxeNode {
  target: unknown[];
  failureSummary?: string;
}
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: AxeNode[];
}

/** Runs axe on the page as it is now; returns its serious and critical violations, printed. */
async function axe(p: Page, label: string): Promise<string[]> {
  // Evaluated through the DevTools protocol: an inline <script> tag would be refused by the CSP.
  if (!(await p.evaluate(() => "axe" in window))) await p.evaluate(AXE_SOURCE);
  const { violations, passes } = await p.evaluate(async () => {
    const w = window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: unknown[]; passes: unknown[] }> } };
    const r = await w.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa"] } });
    return { violations: r.violations, passes: r.passes.length };
  });
  assert.ok(passes > 0, `axe checked nothing on ${label}`);
  const out: string[] = [];
  for (const v of violations as AxeViolation[]) {
    const line = `[${label}] ${v.id} (${v.impact}): ${v.help} — ${v.nodes.length} node(s), e.g. ${v.nodes
      .slice(0, 3)
      .map((n) => JSON.stringify(n.target))
      .join(", ")}${v.nodes[0]?.failureSummary ? `\n    ${v.nodes[0].failureSummary.replace(/\n/g, "\n    ")}` : ""}`;
    console.log(line);
    if (v.impact === "serious" || v.impact === "critical") out.push(line);
  }
  return out;
}

/** Runs axe on the current page in both colour schemes. */
async function axeBothSchemes(p: Page, name: string): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of SCHEMES) {
    await p.emulateMedia({ colorScheme });
    await p.waitForTimeout(150);
    found.push(...(await axe(p, `${name} ${colorScheme}`)));
  }
  await p.emulateMedia({ colorScheme: "light" });
  return found;
}

/** A description of the focused element: its accessible-ish name. */
async function focused(p: Page): Promise<string> {
  return p.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return "(body)";
    const labelled = el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`)?.textContent : null;
    return (el.getAttribute("aria-label") ?? labelled ?? el.closest("label")?.textContent ?? el.textContent ?? el.tagName).trim();
  });
}

test("login: no serious axe violations signed out; Tab reaches E-mail, Password, Sign in in order and Enter submits", { timeout: 60_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("a11y-login", stack, async () => {
    await p.context().clearCookies();
    await p.goto(`${base}/login`);
    await settle(p);
    const found = await axeBothSchemes(p, "/login");

    // From where the page puts focus (E-mail may be autofocused), Tab on.
    const order: string[] = [];
    for (let i = 0; i < 12; i++) {
      const name = await focused(p);
      order.push(name);
      if (name === "E-mail") await p.keyboard.type(ADMIN.email);
      if (name === "Password") await p.keyboard.type(ADMIN.password);
      if (name === "Sign in") break;
      await p.keyboard.press("Tab");
    }
    const iEmail = order.indexOf("E-mail");
    const iPassword = order.indexOf("Password");
    const iSubmit = order.indexOf("Sign in");
    assert.ok(iEmail >= 0 && iPassword > iEmail && iSubmit > iPassword, `Tab order: ${JSON.stringify(order)}`);
    assert.equal(iPassword, iEmail + 1, `Tab order: ${JSON.stringify(order)}`);
    assert.equal(await p.getByLabel("E-mail").inputValue(), ADMIN.email);
    // Enter in the password field submits the form.
    await p.getByLabel("Password").focus();
    await p.keyboard.press("Enter");
    await p.waitForURL((u) => u.pathname === "/");
    assert.deepEqual(found, [], `serious/critical axe violations:\n${found.join("\n")}`);
  });
});

test("run page: Override is reachable by Tab; its dialog keeps focus inside and closes on Escape", { timeout: 300_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("a11y-run", stack, async () => {
    if (!/\/$/.test(new URL(p.url()).pathname)) await signIn(p, base, ADMIN.email, ADMIN.password);
    const r = await p.request.post(`${base}/api/runs`, { data: SMALL_RUN });
    assert.equal(r.status(), 202, await r.text());
    runId = ((await r.json()) as { id: string }).id;
    await waitFor(
      "the run to succeed",
      async () => {
        const s = (await (await p.request.get(`${base}/api/runs/${runId}`)).json()) as { status: string };
        if (s.status === "failed" || s.status === "cancelled") throw new Error(`run ${s.status}`);
        return s.status === "succeeded" ? true : null;
      },
      180_000,
      500,
    );
    await p.goto(`${base}/runs/${runId}`);
    await $(p, '[data-testid="status-badge"][data-status="succeeded"]').first().waitFor();
    const override = p.getByRole("button", { name: "Override", exact: true });
    await override.waitFor();

    // Tab from the top of the page until Override has focus.
    await p.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    let reached = false;
    for (let i = 0; i < 80 && !reached; i++) {
      await p.keyboard.press("Tab");
      reached = await override.evaluate((el) => el === document.activeElement);
    }
    assert.ok(reached, "Override is reachable with Tab");
    await p.keyboard.press("Enter");
    const dialog = p.getByRole("dialog");
    await dialog.waitFor();
    assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement)), "focus moves into the dialog");
    for (let i = 0; i < 10; i++) {
      await p.keyboard.press(i < 5 ? "Tab" : "Shift+Tab");
      assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement)), `focus stays in the dialog (step ${i}): ${await focused(p)}`);
    }
    await p.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    assert.ok(await override.evaluate((el) => el === document.activeElement), "focus returns to Override");

    // Open it again with the keyboard and confirm, so that predict has a serving version.
    await p.keyboard.press("Enter");
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Confirm override" }).click();
    await $(p, '[data-testid="serving-badge"]').first().waitFor();
  });
});

test("every page in light and dark: no serious or critical axe violations", { timeout: 240_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("a11y-pages", stack, async () => {
    assert.ok(runId, "needs the run of the previous test");
    const found: string[] = [];
    // A sweep of one point whose run is ranked once trained (the sweep page with its best run's candidate).
    const sweep = await createSweep(stack!.database.db, { request: { table: "demo_email", columns: "label,text", limit: 200, num_train_epochs: 1 }, grid: { learning_rate: [0.1] } }, { userId: null });
    const pages: [string, (p: Page) => Promise<void>][] = [
      ["/", async () => {}],
      ["/runs", async () => {}],
      ["/runs/new", async () => {}],
      [`/runs/${runId}`, async (q) => void (await $(q, '[data-testid="status-badge"][data-status="succeeded"]').first().waitFor())],
      ["/sweeps", async () => {}],
      [`/sweeps/${sweep.id}`, async (q) => void (await $(q, '[data-testid="sweep-best"] [data-testid="candidate"]').waitFor({ timeout: 120_000 }))],
      ["/models", async () => {}],
      ["/data", async () => {}],
      [
        "/predict",
        async (q) => {
          await q.getByLabel("Texts to classify").fill("Win a FREE prize now!\nSee you at the meeting tomorrow.");
          await q.getByRole("button", { name: "Predict" }).click();
          await $(q, '[data-testid="predictions"], [data-testid="predict-error"]').first().waitFor();
          assert.equal(await $(q, '[data-testid="predict-error"]').count(), 0, "prediction failed");
        },
      ],
      ["/settings", async () => {}],
    ];
    for (const [path, prepare] of pages) {
      await p.goto(`${base}${path}`);
      await settle(p);
      await prepare(p);
      await p.waitForTimeout(300);
      found.push(...(await axeBothSchemes(p, path === `/runs/${runId}` ? "/runs/<id>" : path === `/sweeps/${sweep.id}` ? "/sweeps/<id>" : path)));
    }
    assert.deepEqual(found, [], `serious/critical axe violations:\n${found.join("\n")}`);
  });
});
