// The web tier in a real browser: every dashboard page (and a client-side navigation) loads under
// the Content-Security-Policy with no violation and with the security headers; the login page
// shows "Too many attempts, try again in N minutes" once an account is locked.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Locator, Page, Response } from "playwright-core";
import { hashPassword } from "../../lib/auth/password";
import { screenshotOnFailure, signIn, startStack, type Stack } from "../helpers/browser";
import { ADMIN } from "../helpers/db";
import { waitFor } from "../helpers/processes";

let stack: Stack | undefined;
let base = "";
const violations: string[] = [];

before(async () => {
  stack = await startStack();
  base = stack.web.url;
  const p = stack.page;
  // Installed through the DevTools protocol, so the CSP does not apply to this script itself.
  await p.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  p.on("console", (m) => {
    if (m.type() === "error" && /Content.Security.Policy|CSP violation|Refused to/i.test(m.text())) violations.push(`${p.url()}: ${m.text()}`);
  });
  p.on("pageerror", (e) => violations.push(`${p.url()}: page error ${e.message}`));
});

after(async () => {
  await stack?.stop();
});

function checkHeaders(res: Response | null, what: string): void {
  assert.ok(res, `${what}: no response`);
  const h = res.headers();
  assert.match(h["content-security-policy"] ?? "", /script-src 'self' 'nonce-[^']+' 'strict-dynamic'; .*frame-ancestors 'none'/, what);
  assert.doesNotMatch(h["content-security-policy"] ?? "", /unsafe-eval/, what);
  assert.equal(h["x-frame-options"], "DENY", what);
  assert.equal(h["x-content-type-options"], "nosniff", what);
  assert.equal(h["referrer-policy"], "same-origin", what);
}

/** Loads `path` as a new document, waits for `ready`, and lets late scripts and charts run. */
async function visit(p: Page, path: string, ready: (p: Page) => Promise<unknown>): Promise<void> {
  const res = await p.goto(base + path);
  checkHeaders(res, path);
  await ready(p);
  await p.waitForLoadState("networkidle").catch(() => {});
}

test("every dashboard page loads under the CSP with no violation, with the security headers", { timeout: 300_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("web-tier-csp", stack, async () => {
    await visit(p, "/login", (q) => q.getByRole("button", { name: "Sign in" }).waitFor());
    await signIn(p, base, ADMIN.email, ADMIN.password);

    // A small run, so that the run page shows its charts.
    const queued = await p.request.post(`${base}/api/runs`, {
      headers: { origin: base },
      data: { columns: "label,text", table: "demo_email", limit: 300, p_of_train: 0.8, num_train_epochs: 1, seed: 1 },
    });
    assert.equal(queued.status(), 202, await queued.text());
    const runId = ((await queued.json()) as { id: string }).id;
    await waitFor("the run", async () => ((await (await p.request.get(`${base}/api/runs/${runId}`)).json()) as { status: string }).status === "succeeded", 180_000, 500);

    // Visible matches only: the app router may keep a hidden copy of a page mounted.
    const shown = (l: Locator) => l.filter({ visible: true }).first().waitFor();
    const heading = (name: string | RegExp) => (q: Page) => shown(q.getByRole("heading", { name, level: 1 }));
    const pages: [string, (q: Page) => Promise<unknown>][] = [
      ["/", heading("Overview")],
      ["/runs", heading("Training runs")],
      [`/runs/${runId}`, (q) => shown(q.locator(".recharts-surface"))],
      ["/runs/new", (q) => shown(q.getByLabel("Training request (JSON)"))],
      ["/models", heading(/Models/)],
      ["/data", heading(/Data/)],
      ["/predict", heading("Try the serving model")],
      ["/settings", heading(/Settings/)],
    ];
    for (const [path, ready] of pages) await visit(p, path, ready);

    // A client-side navigation loads further chunks under the same policy.
    await visit(p, "/", heading("Overview"));
    await p.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Models" }).click();
    await p.waitForURL((u) => u.pathname === "/models");
    await heading(/Models/)(p);
    await p.waitForLoadState("networkidle").catch(() => {});

    assert.deepEqual(violations, [], "no CSP violation and no page error");
    console.log(`# visited ${pages.length + 1} pages and one client-side navigation: no CSP violation`);
  });
});

test("the login page says when an account is locked, and for how long", { timeout: 120_000 }, async () => {
  const p = stack!.page;
  await stack!.database.db.user.create({ data: { email: "locked@example.com", passwordHash: await hashPassword("locked-password-1"), role: "viewer" } });
  await screenshotOnFailure("web-tier-login-429", stack, async () => {
    await p.context().clearCookies();
    await p.goto(`${base}/login`);
    const alert = p.getByTestId("login-error");
    for (let i = 0; i < 5; i++) {
      await p.getByLabel("E-mail").fill("locked@example.com");
      await p.getByLabel("Password").fill(`wrong-password-${i}`);
      const answered = p.waitForResponse((r) => r.url().endsWith("/api/auth/callback/credentials"));
      await p.getByRole("button", { name: "Sign in" }).click();
      assert.notEqual((await answered).status(), 429);
      await p.getByRole("button", { name: "Sign in" }).and(p.locator(":enabled")).waitFor();
      assert.equal((await alert.textContent())?.trim(), "Wrong e-mail or password");
    }
    await p.getByLabel("Password").fill("locked-password-1");
    await p.getByRole("button", { name: "Sign in" }).click();
    await p.getByText(/^Too many attempts, try again in 15 minutes$/).waitFor();
    assert.equal(new URL(p.url()).pathname, "/login", "still signed out");
    assert.deepEqual(violations, []);
  });
});
