// Schedules and webhooks in a real browser at phone width (390 px): add a schedule from Settings
// (a bad cron is named under its field), see it on the model's card, disable it; add a webhook (a
// non-http URL is refused) and see its deliveries; no horizontal scrolling; no serious axe findings.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { promoteVersion } from "../../lib/versions/promote";
import { noHorizontalScroll, screenshotOnFailure, signIn, startStack, type Stack } from "../helpers/browser";
import { ADMIN } from "../helpers/db";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

let stack: Stack | undefined;
let base = "";

before(async () => {
  stack = await startStack({ context: { viewport: { width: 390, height: 844 } } });
  base = stack.web.url;
});

after(async () => {
  await stack?.stop();
});

async function seriousAxe(p: Page): Promise<string[]> {
  if (!(await p.evaluate(() => "axe" in window))) await p.evaluate(AXE_SOURCE);
  const violations = await p.evaluate(async () => {
    const w = window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown }[] }[] }> } };
    return (await w.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa"] } })).violations;
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${JSON.stringify(v.nodes.slice(0, 3).map((n) => n.target))}`);
}

test("Settings at 390 px: add a schedule (bad cron named), disable it; it shows on the model's card", { timeout: 180_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("schedules-settings", stack, async () => {
    await signIn(p, base, ADMIN.email, ADMIN.password);
    await p.goto(`${base}/settings#schedules`);
    const form = p.locator('[data-testid="schedule-form"]');
    await form.getByRole("button", { name: "Add schedule" }).waitFor();
    await p.waitForFunction(() => !(document.querySelector('[data-testid="schedule-form"] button[type="submit"]') as HTMLButtonElement).disabled);
    await form.getByLabel("Cron (UTC)").fill("every night");
    await form.getByRole("button", { name: "Add schedule" }).click();
    await form.locator(".field-error", { hasText: "5 fields" }).waitFor();
    assert.equal(await stack!.database.db.schedule.count(), 0);

    await form.getByLabel("Cron (UTC)").fill("0 3 * * *");
    await form.getByLabel(/Run request/).fill('{"table": "demo_email", "columns": "label,text", "limit": 300}');
    await form.getByLabel(/Auto-promote/).check();
    await form.getByLabel("Least gain (percentage points)").fill("1");
    await form.getByRole("button", { name: "Add schedule" }).click();
    const row = p.locator('#schedules [data-testid="schedule-row"]');
    await row.waitFor();
    assert.match(await row.innerText(), /0 3 \* \* \*/);
    assert.match(await row.innerText(), /accuracy \+1\.0 pp, ≥ 50 test rows/);
    const saved = await stack!.database.db.schedule.findFirstOrThrow();
    assert.deepEqual(saved.autoPromote, { metric: "accuracy", minDelta: 0.01, minTestRows: 50 });
    await noHorizontalScroll(p, "/settings");
    assert.deepEqual(await seriousAxe(p), []);

    await p.goto(`${base}/models`);
    const card = p.locator('[data-testid="model-card"][data-model="default"] [data-testid="schedule-row"]');
    await card.waitFor();
    await card.getByRole("button", { name: /Disable/ }).click();
    await card.locator(".badge", { hasText: "disabled" }).waitFor();
    assert.equal((await stack!.database.db.schedule.findFirstOrThrow()).enabled, false);
    await noHorizontalScroll(p, "/models");
  });
});

test("Settings at 390 px: add a webhook (non-http URL refused) and see its deliveries", { timeout: 120_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("webhooks-settings", stack, async () => {
    await p.goto(`${base}/settings#webhooks`);
    const section = p.locator("#webhooks");
    await section.getByLabel("URL").fill("ftp://example.com/hook");
    await section.getByLabel("Secret").fill("a-secret-for-the-hook");
    await section.getByRole("button", { name: "Add webhook" }).click();
    await section.locator(".field-error", { hasText: "http:// or https://" }).waitFor();
    // nothing listens there, so the delivery fails and waits for its retry
    await section.getByLabel("URL").fill("http://127.0.0.1:59997/hook");
    await section.getByRole("button", { name: "Add webhook" }).click();
    await section.locator('[data-testid="webhook"]').waitFor();
    const db = stack!.database.db;
    const version = await db.modelVersion.create({ data: { modelId: (await db.model.findUniqueOrThrow({ where: { name: "default" } })).id, artifactHash: "x", labels: ["ham", "spam"] } });
    await promoteVersion(db, { modelName: "default", versionId: version.id });
    await p.reload();
    const delivery = section.locator('[data-testid="delivery-row"]');
    await delivery.waitFor({ timeout: 30_000 });
    assert.match(await delivery.innerText(), /version\.promoted/);
    await p
      .waitForFunction(() => /ECONNREFUSED|fetch failed/.test(document.querySelector('[data-testid="delivery-row"]')?.textContent ?? ""), undefined, { timeout: 30_000 })
      .catch(async (err) => {
        throw new Error(`${err.message}; row: ${await delivery.innerText()}; stored: ${JSON.stringify(await db.webhookDelivery.findMany())}`);
      });
    assert.equal((await p.content()).includes("a-secret-for-the-hook"), false, "the secret is not on the page");
    await noHorizontalScroll(p, "/settings webhooks");
    assert.deepEqual(await seriousAxe(p), []);
  });
});
