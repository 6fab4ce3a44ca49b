// Early stopping and "Stop and keep the best so far", in a real browser: a run started from the New
// run form with early stopping ends training early and says so on its page; an admin stops a long
// run mid-training from its page, confirms, and the run ends succeeded with a candidate to override;
// the route refuses what it cannot do (a finished run, an unknown one).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fillNewRunRequest, screenshotOnFailure, signIn, startStack, type Stack } from "../helpers/browser";
import { ADMIN } from "../helpers/db";
import { waitFor } from "../helpers/processes";
import { queueRun, runFinished } from "../helpers/runs";
import type { LossPoint } from "../../lib/training/types";

let stack: Stack | undefined;
const db = () => stack!.database.db;

before(async () => {
  stack = await startStack();
});

after(async () => {
  await stack?.stop();
});

test("early stopping from the New run form: training ends early, the page's log says why, the run saves a candidate", { timeout: 300_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("early-stopping", stack, async () => {
    await signIn(p, stack!.web.url, ADMIN.email, ADMIN.password);
    await p.goto(`${stack!.web.url}/runs/new`);
    await fillNewRunRequest(p, { table: "demo_email", columns: "label,text", limit: 400, seed: 3, num_train_epochs: 20, early_stopping_patience: 1, early_stopping_threshold: 10 });
    await p.getByRole("button", { name: "Start run" }).click();
    await p.waitForURL((u) => /^\/runs\/[^/]+$/.test(u.pathname) && u.pathname !== "/runs/new");
    const id = decodeURIComponent(new URL(p.url()).pathname.split("/").pop()!);
    await p.locator('[data-testid="candidate"]').waitFor({ timeout: 180_000 });
    await p.getByText(/early stopping at step \d+: eval_loss has not improved for 1 evaluations/).first().waitFor();
    const run = await runFinished(db(), id);
    assert.equal(run.status, "succeeded");
    const curve = run.lossCurve as unknown as LossPoint[];
    assert.equal(curve.filter((x) => x.evalLoss !== undefined).length, 2, "two evaluations, then it stopped");
  });
});

test("an admin stops a long run from its page and keeps the best so far: the run succeeds with a candidate", { timeout: 300_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("stop-keep", stack, async () => {
    const id = await queueRun(db(), { table: "demo_email", columns: "label,text", limit: 400, seed: 5, num_train_epochs: 400, eval_strategy: "epoch" });
    await signIn(p, stack!.web.url, ADMIN.email, ADMIN.password);
    await waitFor("the model to train past its first epoch", async () => {
      const r = await db().trainingRun.findUniqueOrThrow({ where: { id } });
      return r.phase === "training" && (r.lossCurve as unknown as LossPoint[]).filter((x) => x.evalLoss !== undefined).length >= 2;
    });
    await p.goto(`${stack!.web.url}/runs/${id}`);
    await p.getByRole("button", { name: "Stop and keep the best so far" }).click();
    const dialog = p.getByRole("dialog");
    await dialog.getByText(/The weights of its best evaluation so far/).waitFor();
    await dialog.getByRole("button", { name: "Stop and keep" }).click();
    await p.locator('[data-testid="candidate"]').waitFor({ timeout: 120_000 });
    const run = await runFinished(db(), id);
    assert.equal(run.status, "succeeded");
    assert.ok(run.candidateVersionId);
    const logs = (await db().runLog.findMany({ where: { runId: id } })).map((l) => l.message);
    assert.ok(logs.some((m) => /^stopped on request at step \d+/.test(m)), logs.join("\n"));
    await p.getByText(/stopped on request at step/).first().waitFor();

    // The route: a finished run cannot be stopped (409, with why), an unknown one is 404.
    const again = await p.request.post(`${stack!.web.url}/api/runs/${id}/stop`, { data: {}, headers: { origin: stack!.web.url } });
    assert.equal(again.status(), 409);
    assert.match(JSON.stringify(await again.json()), /is not running \(succeeded\)/);
    const unknown = await p.request.post(`${stack!.web.url}/api/runs/nope/stop`, { data: {}, headers: { origin: stack!.web.url } });
    assert.equal(unknown.status(), 404);
  });
});
