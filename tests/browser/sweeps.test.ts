// Sweeps in a real browser at phone width (390 px): create a 2-point grid sweep from the form (a
// refused value is named with its point first), wait for both runs, see them ranked by macro-F1,
// and Override with the best run's candidate from the sweep page; no horizontal scrolling.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { noHorizontalScroll, screenshotOnFailure, signIn, startStack, type Stack } from "../helpers/browser";
import { ADMIN } from "../helpers/db";

let stack: Stack | undefined;
let base = "";

before(async () => {
  stack = await startStack({ context: { viewport: { width: 390, height: 844 } } });
  base = stack.web.url;
});

after(async () => {
  await stack?.stop();
});

test("Sweeps at 390 px: a 2-point sweep from the form, ranked, and Override with the best run", { timeout: 360_000 }, async () => {
  const p = stack!.page;
  const db = stack!.database.db;
  await screenshotOnFailure("sweeps", stack, async () => {
    await signIn(p, base, ADMIN.email, ADMIN.password);
    await p.getByRole("link", { name: "Sweeps" }).first().click();
    await p.waitForURL((u) => u.pathname === "/sweeps");
    const form = p.locator('[data-testid="sweep-form"]');
    await form.getByLabel(/Run request/).fill('{"table": "demo_email", "columns": "label,text", "limit": 300, "num_train_epochs": 1, "seed": 5}');
    await form.getByLabel("Argument 1 name").fill("learning_rate");
    await form.getByLabel("Argument 1 values").fill("0.0001, -1");
    await form.getByRole("button", { name: "Start sweep" }).click();
    await form.locator('[data-testid="sweep-issues"]', { hasText: "grid.learning_rate[1]" }).waitFor();
    assert.match(await form.locator('[data-testid="sweep-issues"]').innerText(), /point 2 \(learning_rate=-1\)/);
    assert.equal(await db.trainingRun.count(), 0, "nothing queued");

    await form.getByLabel("Argument 1 values").fill("0.0001, 0.3");
    assert.match(await form.locator('[data-testid="sweep-points"]').innerText(), /^2 runs/);
    await noHorizontalScroll(p, "/sweeps");
    await form.getByRole("button", { name: "Start sweep" }).click();
    await p.waitForURL((u) => /^\/sweeps\/[^/]+$/.test(u.pathname));
    const sweepId = new URL(p.url()).pathname.split("/").pop()!;
    assert.equal(await db.trainingRun.count({ where: { sweepId } }), 2);

    // Both runs trained: each has a rank.
    await p.locator('[data-testid="sweep-run"][data-rank="2"]').waitFor({ timeout: 240_000 });
    const runs = await db.trainingRun.findMany({ where: { sweepId } });
    assert.ok(runs.every((r) => r.status === "succeeded"), JSON.stringify(runs.map((r) => [r.status, r.error])));
    const macroF1 = (id: string) => (runs.find((r) => r.id === id)!.metricsNew as { macro_f1: number; accuracy: number });
    const shown = await p.locator('[data-testid="sweep-run"]').evaluateAll((rows) => rows.map((r) => [r.getAttribute("data-run-id"), r.getAttribute("data-rank")]));
    assert.deepEqual(shown.map((r) => r[1]), ["1", "2"]);
    const [bestId, otherId] = shown.map((r) => r[0]!);
    const b = macroF1(bestId!);
    const o = macroF1(otherId!);
    assert.ok(b.macro_f1 > o.macro_f1 || (b.macro_f1 === o.macro_f1 && b.accuracy >= o.accuracy), "ranked by macro-F1, then accuracy");
    assert.equal(await p.locator('[data-testid="sweep-compare"]').getAttribute("href"), `/runs/compare?ids=${bestId},${otherId}`);
    await p.getByRole("link", { name: bestId!.slice(-8) }).first().waitFor();
    await noHorizontalScroll(p, "/sweeps/:id");

    // Override with the best run's candidate, through the run page's confirm dialog.
    const best = runs.find((r) => r.id === bestId)!;
    const panel = p.locator('[data-testid="sweep-best"] [data-testid="candidate"]');
    await panel.getByRole("button", { name: "Override" }).click();
    const dialog = p.getByRole("dialog");
    await dialog.waitFor();
    if (await dialog.locator('[data-testid="confirm-model-name"]').count()) await dialog.locator('[data-testid="confirm-model-name"]').fill("default");
    await dialog.getByRole("button", { name: "Confirm override" }).click();
    await panel.locator('[data-testid="serving-badge"]').waitFor();
    assert.equal((await db.model.findUniqueOrThrow({ where: { name: "default" } })).servingVersionId, best.candidateVersionId);
    await p.locator(`[data-testid="sweep-run"][data-run-id="${bestId}"] .badge-serving`).waitFor();
    await noHorizontalScroll(p, "/sweeps/:id after the override");
  });
});
