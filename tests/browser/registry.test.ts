// The registry on the Models page, in a real browser: an admin sets an alias on a version and a
// description, sees both next to the version (and after a reload), moves the alias, removes it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { promoteVersion } from "../../lib/versions/promote";
import { screenshotOnFailure, signIn, startStack, type Stack } from "../helpers/browser";
import { ADMIN } from "../helpers/db";
import { queueRun, runFinished } from "../helpers/runs";

let stack: Stack | undefined;
let versions: string[] = [];

before(async () => {
  stack = await startStack();
  const db = stack.database.db;
  for (const seed of [1, 2]) {
    const id = await queueRun(db, { table: "demo_email", columns: "label,text", limit: 300, num_train_epochs: 1, seed });
    const run = await runFinished(db, id, 180_000);
    assert.equal(run.status, "succeeded", `${run.error}\n${stack.worker.output().slice(-2000)}`);
    versions.push(run.candidateVersionId!);
    if (seed === 1) await promoteVersion(db, { modelName: "default", versionId: run.candidateVersionId! });
  }
});

after(async () => {
  await stack?.stop();
});

test("an admin sets an alias and a description on the model page and sees them next to the version", { timeout: 180_000 }, async () => {
  const p = stack!.page;
  const base = stack!.web.url;
  const db = stack!.database.db;
  const [v1, v2] = versions;
  await screenshotOnFailure("registry", stack, async () => {
    await signIn(p, base, ADMIN.email, ADMIN.password);
    await p.goto(`${base}/models`);
    const card = p.locator('[data-testid="model-card"][data-model="default"]');
    const form = card.locator('[data-testid="alias-form"]');
    await form.waitFor();

    // a reserved name is refused under its field, and nothing is stored
    await form.getByLabel("Alias").fill("serving");
    await form.getByRole("button", { name: "Set alias" }).click();
    await form.locator(".field-error", { hasText: "reserved" }).waitFor();
    assert.equal(await db.modelAlias.count(), 0);

    await form.getByLabel("Alias").fill("challenger");
    await form.getByLabel("Version").selectOption(v2);
    await form.getByRole("button", { name: "Set alias" }).click();
    const row2 = card.locator(`[data-testid="version-row"][data-version-id="${v2}"]`);
    await row2.locator('[data-testid="version-alias"][data-alias="challenger"]').waitFor();
    assert.equal((await db.modelAlias.findFirstOrThrow()).versionId, v2);

    await row2.getByRole("button", { name: /Edit the description of v2/ }).click();
    await row2.getByLabel(/Description of v2/).fill("Seed 2: the challenger to v1.");
    await row2.getByRole("button", { name: "Save description" }).click();
    await row2.locator('[data-testid="version-description"]', { hasText: "Seed 2: the challenger to v1." }).waitFor();
    assert.equal((await db.modelVersion.findUniqueOrThrow({ where: { id: v2 } })).description, "Seed 2: the challenger to v1.");

    // both are there after a reload
    await p.reload();
    await row2.locator('[data-testid="version-alias"][data-alias="challenger"]').waitFor();
    assert.match(await row2.locator('[data-testid="version-description"]').innerText(), /Seed 2: the challenger to v1\./);

    // setting it again moves it: v1 has it, v2 no longer
    await form.getByLabel("Alias").fill("challenger");
    await form.getByLabel("Version").selectOption(v1);
    await form.getByRole("button", { name: "Set alias" }).click();
    const row1 = card.locator(`[data-testid="version-row"][data-version-id="${v1}"]`);
    await row1.locator('[data-testid="version-alias"][data-alias="challenger"]').waitFor();
    await row2.locator('[data-testid="version-alias"]').waitFor({ state: "detached" });

    await row1.getByRole("button", { name: "Remove the alias challenger from v1 of default" }).click();
    await row1.locator('[data-testid="version-alias"]').waitFor({ state: "detached" });
    assert.equal(await db.modelAlias.count(), 0);
  });
});
