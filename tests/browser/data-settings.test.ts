// The new-run form, the data page and the settings page in a real browser: start a run by choosing
// table and columns from dropdowns (with preview and label chart) and land on its page; browse,
// search and import a small CSV; create a user and an API token (shown once); a viewer gets 403.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { hashPassword } from "../../lib/auth/password";
import { fillNewRunRequest, screenshotOnFailure, signIn, startStack, type Stack } from "../helpers/browser";
import { ADMIN, tmpDir } from "../helpers/db";
import { createReviewTable } from "../helpers/fixtures";

let stack: Stack | undefined;
let base = "";
let dir: string;

before(async () => {
  stack = await startStack({ context: { viewport: { width: 1366, height: 900 } } });
  const { database, context, web } = stack;
  base = web.url;
  await createReviewTable(database.db, "reviews", 30);
  await database.db.user.create({ data: { email: "viewer@example.com", passwordHash: await hashPassword("viewer-password-1"), role: "viewer" } });
  dir = tmpDir("files");
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: web.url }).catch(() => {});
});

after(async () => {
  await stack?.stop();
});

test("new run from the dropdowns: table, label and text columns, preview, inline validation, start", { timeout: 180_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("new-run-form", stack, async () => {
    await signIn(p, base, ADMIN.email, ADMIN.password);
    await p.goto(`${base}/runs/new`);

    // Choose another table first: its columns are offered, and label/body are preselected.
    const tableSelect = p.getByLabel("Table", { exact: true });
    // Wait for the catalogue (until it arrives the select shows only the request's table).
    await p.waitForFunction(() => [...document.querySelectorAll("#nr-table option")].some((o) => /^reviews \(/.test(o.textContent ?? "")));
    const options = await tableSelect.locator("option").allTextContents();
    assert.ok(options.some((o) => /^demo_email \([\d,]+ rows\)$/.test(o)), options.join(" | "));
    assert.ok(options.some((o) => /^reviews \(30 rows\)$/.test(o)), options.join(" | "));
    assert.ok(!options.some((o) => /^(User|Setting|TrainingRun)\b/.test(o)), "internal tables are not offered");
    await tableSelect.selectOption("reviews");
    assert.equal(await p.getByLabel("Label column").inputValue(), "label");
    assert.equal(await p.getByLabel("Text column").inputValue(), "body");
    await p.locator('[data-testid="label-count"][data-label="pos"][data-count="15"]').waitFor();

    // Then demo_email, with its label and text columns chosen explicitly.
    await tableSelect.selectOption("demo_email");
    await p.getByLabel("Label column").selectOption("label");
    await p.getByLabel("Text column").selectOption("text");
    const preview = p.locator('[data-testid="run-preview"]');
    await preview.waitFor();
    const spam = Number(await preview.locator('[data-testid="label-count"][data-label="spam"]').getAttribute("data-count"));
    const ham = Number(await preview.locator('[data-testid="label-count"][data-label="ham"]').getAttribute("data-count"));
    assert.equal(spam + ham, await stack!.database.db.demoEmail.count());
    assert.ok((await preview.locator("tbody tr").count()) > 0, "first rows are shown");
    await preview.locator(".recharts-bar-rectangle").first().waitFor();

    // The form writes the JSON request.
    await p.getByLabel("Row limit").fill("1500");
    const json = () => p.getByLabel("Training request (JSON)").inputValue().then((t) => JSON.parse(t));
    assert.equal((await json()).table, "demo_email");
    assert.equal((await json()).columns, "label,text");
    assert.equal((await json()).limit, 1500);

    // Inline validation in the browser, with the API's schema: nothing is sent.
    const epochs = p.getByLabel(/^Epochs/);
    await epochs.fill("-1");
    await epochs.blur();
    const epochError = p.locator('[data-testid="field-error"][data-field="num_train_epochs"]');
    await epochError.waitFor();
    assert.match((await epochError.textContent()) ?? "", /greater than 0/);
    assert.equal(await epochs.getAttribute("aria-invalid"), "true");
    const lr = p.getByLabel(/^Learning rate/);
    await lr.fill("fast");
    await p.getByRole("button", { name: "Start run" }).click();
    await p.locator('[data-testid="field-error"][data-field="learning_rate"]').waitFor();
    assert.equal(await stack!.database.db.trainingRun.count(), 0, "nothing was queued");

    // Fixed values; the JSON editor follows, and start.
    await epochs.fill("2");
    await lr.fill("0.02");
    await p.getByLabel(/^Random seed/).fill("7");
    await p.getByLabel(/^Evaluation/).selectOption("epoch");
    assert.deepEqual(
      (({ learning_rate, num_train_epochs, seed, evaluation_strategy }) => ({ learning_rate, num_train_epochs, seed, evaluation_strategy }))(await json()),
      { learning_rate: 0.02, num_train_epochs: 2, seed: 7, evaluation_strategy: "epoch" },
    );
    assert.equal(await p.locator('[data-testid="field-error"]').count(), 0);
    await p.getByRole("button", { name: "Start run" }).click();
    await p.waitForURL((u) => /^\/runs\/[^/]+$/.test(u.pathname) && u.pathname !== "/runs/new");
    const runId = decodeURIComponent(new URL(p.url()).pathname.split("/").pop()!);
    const run = await stack!.database.db.trainingRun.findUniqueOrThrow({ where: { id: runId } });
    const request = run.request as Record<string, unknown>;
    assert.deepEqual([request.table, request.columns, request.limit, request.learning_rate, request.num_train_epochs], ["demo_email", "label,text", 1500, 0.02, 2]);
  });
});

test("new run: the server's 400 issues are shown next to their fields", { timeout: 60_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("new-run-400", stack, async () => {
    await p.goto(`${base}/runs/new`);
    await fillNewRunRequest(p, { table: "reviews", columns: "label,nope", p_of_train: 0.8 });
    await p.getByRole("button", { name: "Start run" }).filter({ visible: true }).click();
    const err = p.locator('[data-testid="field-error"][data-field="columns"]').filter({ visible: true });
    await err.waitFor();
    assert.match((await err.textContent()) ?? "", /"nope" is not a column of reviews/);
    assert.equal(await p.getByLabel("Text column").filter({ visible: true }).getAttribute("aria-invalid"), "true");
    assert.equal(new URL(p.url()).pathname, "/runs/new");
  });
});

test("new run: the form checks the request with the schema of the model's kind and words it as the API does", { timeout: 60_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("new-run-kind-schema", stack, async () => {
    await p.goto(`${base}/runs/new`);
    // The default model is a starter model: head options are not its; a misspelt name is refused.
    const body = { table: "reviews", columns: "label,body", head_type: "foo", learnig_rate: 0.01, early_stopping_patience: -3 };
    await fillNewRunRequest(p, body);
    const before = await stack!.database.db.trainingRun.count();
    await p.getByRole("button", { name: "Start run" }).filter({ visible: true }).click();
    const items = p.locator('[data-testid="request-issue"]').filter({ visible: true });
    await items.first().waitFor();
    const shown = await items.evaluateAll((els) => els.map((e) => ({ path: e.getAttribute("data-path"), text: e.textContent ?? "" })));
    const api = await p.request.post(`${base}/api/runs`, { data: body });
    assert.equal(api.status(), 400);
    const issues = ((await api.json()) as { issues: { path: string; message: string }[] }).issues;
    assert.deepEqual(shown.map((i) => i.path).sort(), issues.map((i) => i.path).sort(), "the form names the fields the API names");
    for (const issue of issues) assert.ok(shown.some((s) => s.path === issue.path && s.text.includes(issue.message)), `${issue.path}: ${issue.message}`);
    assert.ok(shown.some((s) => s.path === "head_type" && /head option of encoder models/.test(s.text)));
    assert.ok(shown.some((s) => s.path === "learnig_rate" && /did you mean "learning_rate"/.test(s.text)));
    assert.equal(await stack!.database.db.trainingRun.count(), before, "nothing was queued");
  });
});

test("data page: browse, search, label chart, import a CSV with a rejected-lines report", { timeout: 120_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("data", stack, async () => {
    await p.goto(`${base}/data`);
    await p.getByRole("heading", { name: "Data", exact: true }).waitFor();
    assert.equal(await p.getByLabel("Table", { exact: true }).inputValue(), "demo_email");
    const status = p.locator('[data-testid="rows-status"]');
    await p.waitForFunction(() => /^Rows 1–25 of/.test(document.querySelector('[data-testid="rows-status"]')?.textContent ?? ""));
    assert.equal(await p.locator('[data-testid="data-row"]').count(), 25);
    await p.getByRole("button", { name: "Next" }).click();
    await p.waitForFunction(() => /^Rows 26–50 of/.test(document.querySelector('[data-testid="rows-status"]')?.textContent ?? ""));

    await p.getByLabel("Table", { exact: true }).selectOption("reviews");
    await p.getByLabel("Search text columns").fill("GREAT");
    await p.getByRole("button", { name: "Search", exact: true }).click();
    await p.waitForFunction(() => /containing "GREAT"/.test(document.querySelector('[data-testid="rows-status"]')?.textContent ?? ""));
    const texts = await p.locator('[data-testid="data-row"]').allInnerTexts();
    assert.ok(texts.length > 0 && texts.length < 30);
    for (const t of texts) assert.match(t, /great/i);
    assert.match((await status.textContent()) ?? "", /of \d+ containing/);
    // The label chart counts the rows found (every one positive), not the whole table.
    await p.locator(`[data-testid="label-count"][data-label="pos"][data-count="${texts.length}"]`).waitFor();
    assert.equal(await p.locator('[data-testid="label-count"][data-label="neg"]').count(), 0);

    // Import a small CSV: check, see the rejected lines, create.
    const file = path.join(dir, "Support Tickets.csv");
    writeFileSync(file, ["label,text", "billing,I was charged twice", "bug,The app crashes on start", ",no label", "billing,", "bug,fine,extra", "billing,Refund please"].join("\n"));
    await p.getByLabel("File", { exact: true }).setInputFiles(file);
    assert.equal(await p.getByLabel("New table name").inputValue(), "support_tickets");
    await p.getByRole("button", { name: "Check file" }).click();
    await p.locator('[data-testid="import-report"]').waitFor();
    assert.equal((await p.locator('[data-testid="import-accepted"]').textContent())?.trim(), "3");
    assert.equal((await p.locator('[data-testid="import-rejected"]').textContent())?.trim(), "3");
    const rejected = await p.locator('[data-testid="rejected-line"]').evaluateAll((rows) => rows.map((r) => r.textContent?.replace(/\s+/g, " ").trim()));
    assert.deepEqual(rejected.map((r) => r?.replace(/:.*/, "")), ["4missing label", "5empty text", "6wrong column count"]);
    assert.equal(await p.getByLabel("Label field").inputValue(), "label");

    // An invalid name is flagged before anything is sent.
    await p.getByLabel("New table name").fill("Bad Name");
    await p.getByRole("button", { name: "Create table" }).click();
    await p.locator('[data-testid="table-name-error"]').waitFor();
    await p.getByLabel("New table name").fill("support_tickets");
    await p.getByRole("button", { name: "Create table" }).click();
    await p.locator('[data-testid="import-done"]').waitFor();
    assert.match((await p.locator('[data-testid="import-done"]').textContent()) ?? "", /Created table support_tickets with 3 rows/);
    const rows = await stack!.database.db.$queryRawUnsafe<{ label: string }[]>(`SELECT label FROM support_tickets ORDER BY id`);
    assert.deepEqual(rows.map((r) => r.label), ["billing", "bug", "billing"]);

    // The new table is offered for browsing.
    await p.getByRole("link", { name: "Browse it" }).click();
    await p.waitForFunction(() => /of 3$/.test(document.querySelector('[data-testid="rows-status"]')?.textContent?.trim() ?? ""));
  });
});

test("settings: create a user, create an API token shown once, revoke it; a viewer gets 403", { timeout: 120_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("settings", stack, async () => {
    await p.goto(`${base}/settings`);
    await p.getByRole("heading", { name: "Settings", exact: true }).waitFor();
    await p.locator('[data-testid="models-table"]').waitFor();

    // A user.
    await p.getByLabel("E-mail", { exact: true }).fill("analyst@example.com");
    await p.getByLabel("Password", { exact: true }).fill("short");
    await p.getByRole("button", { name: "Create user" }).click();
    await p.getByText("must be at least 8 characters").first().waitFor();
    await p.getByLabel("Password", { exact: true }).fill("analyst-password");
    await p.getByLabel("Role", { exact: true }).selectOption("viewer");
    await p.getByRole("button", { name: "Create user" }).click();
    await p.locator('[data-testid="user-row"][data-email="analyst@example.com"]').waitFor();
    const created = await stack!.database.db.user.findUniqueOrThrow({ where: { email: "analyst@example.com" } });
    assert.equal(created.role, "viewer");
    // The only admin cannot be demoted from the page.
    assert.ok(await p.locator(`[data-testid="user-row"][data-email="${ADMIN.email}"] select`).isDisabled());

    // A token: shown once, with a copy button.
    await p.getByLabel("Token name").fill("nightly-retrain");
    await p.getByRole("button", { name: "Create token" }).click();
    const tokenBox = p.locator('[data-testid="new-token"]');
    await tokenBox.waitFor();
    const token = await p.locator('[data-testid="new-token-value"]').inputValue();
    assert.match(token, /^ftd_/);
    await tokenBox.getByRole("button", { name: "Copy" }).click();
    await tokenBox.getByText(/Copied|copy it by hand/).waitFor();
    const me = await p.request.get(`${base}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.status(), 200);
    await tokenBox.getByRole("button", { name: "Done" }).click();
    await tokenBox.waitFor({ state: "detached" });
    await p.reload();
    await p.locator('[data-testid="token-row"][data-name="nightly-retrain"]').waitFor();
    assert.equal(await p.getByText(token).count(), 0, "the token is not shown again");
    assert.equal(await p.locator('[data-testid="new-token-value"]').count(), 0);

    // Revoke it.
    await p.getByRole("button", { name: "Revoke nightly-retrain" }).click();
    await p.getByRole("dialog").getByRole("button", { name: "Revoke token" }).click();
    await p.locator('[data-testid="token-row"][data-name="nightly-retrain"] .badge-cancelled').waitFor();
    assert.equal((await p.request.get(`${base}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status(), 401);

    // A viewer: the settings page is a 403.
    await signIn(p, base, "analyst@example.com", "analyst-password");
    await p.goto(`${base}/settings`);
    // scoped to the page body: the same words may also be in hidden copy elsewhere (e.g. a streamed fallback)
    await p.locator("#main").getByText("403: admins only").filter({ visible: true }).first().waitFor();
    assert.equal(await p.locator('[data-testid="users-table"]').count(), 0);
  });
});
