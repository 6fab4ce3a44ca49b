// The pages' smaller points in a real browser: the Data page lists rows in key order with ids on
// one line and the search's matches marked (as text: markup in a row stays text); the Predict
// placeholder comes from the model; an icon is served and no asset of a page load is a 404; the
// New run page's "Seed" is the random seed only; Settings shows the starter's real token length.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Response } from "playwright-core";
import { screenshotOnFailure, signIn, startStack, type Stack } from "../helpers/browser";
import { ADMIN } from "../helpers/db";
import { STARTER_DEFAULTS } from "../../lib/training/train-args";

let stack: Stack | undefined;
let base = "";

before(async () => {
  stack = await startStack({ context: { viewport: { width: 1366, height: 900 } } });
  base = stack.web.url;
  const db = stack.database.db;
  // Physical order is not key order; ids of one to seven digits; a row holding markup.
  await db.$executeRawUnsafe(`CREATE TABLE keyed (id int PRIMARY KEY, label text, text text)`);
  const rows: [number, string, string][] = [
    [17, "ham", "lunch at noon"],
    [41, "spam", "Win a PRIZE now"],
    [152, "spam", 'claim your prize <img src=x onerror="window.__xss=1"> today'],
    [424, "ham", "the prize draw minutes"],
    [18, "ham", "see you tomorrow"],
    [1234567, "spam", "prize prize prize"],
    [3, "ham", "notes from the meeting"],
  ];
  for (const r of rows) await db.$executeRawUnsafe(`INSERT INTO keyed VALUES ($1, $2, $3)`, ...r);
});

after(async () => {
  await stack?.stop();
});

test("data page: key order, ids on one line, search matches marked as text, labels of the rows found", { timeout: 120_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("polish-data", stack, async () => {
    await signIn(p, base, ADMIN.email, ADMIN.password);
    await p.setViewportSize({ width: 390, height: 844 });
    await p.goto(`${base}/data?table=keyed`);
    await p.waitForFunction(() => /^Rows 1–7 of 7$/.test(document.querySelector('[data-testid="rows-status"]')?.textContent?.trim() ?? ""));
    const ids = await p.locator('[data-testid="data-row"] td:first-child').allTextContents();
    assert.deepEqual(ids, ["3", "17", "18", "41", "152", "424", "1234567"]);
    // Every id on one line, in tabular digits, even at phone width.
    const idCells = await p.locator('[data-testid="data-row"] td:first-child').evaluateAll((tds) =>
      tds.map((td) => {
        const range = document.createRange();
        range.selectNodeContents(td);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
        const style = getComputedStyle(td);
        return { lines, whiteSpace: style.whiteSpace, numeric: style.fontVariantNumeric };
      }),
    );
    for (const c of idCells) assert.deepEqual(c, { lines: 1, whiteSpace: "nowrap", numeric: "tabular-nums" });
    await p.locator('[data-testid="label-count"][data-label="ham"][data-count="4"]').waitFor();

    // Search: matches marked whatever their case, markup in a row left as text.
    await p.getByLabel("Search text columns").fill("prize");
    await p.getByRole("button", { name: "Search", exact: true }).click();
    await p.waitForFunction(() => /of 4 containing "prize"/.test(document.querySelector('[data-testid="rows-status"]')?.textContent ?? ""));
    assert.deepEqual(await p.locator('[data-testid="data-row"] td:first-child').allTextContents(), ["41", "152", "424", "1234567"]);
    const marks = await p.locator('[data-testid="data-row"] mark').allTextContents();
    assert.deepEqual(marks, ["PRIZE", "prize", "prize", "prize", "prize", "prize"]);
    assert.equal(await p.locator('[data-testid="data-row"] img').count(), 0, "the row's <img> is text, not an element");
    assert.match((await p.locator('[data-testid="data-row"]').nth(1).textContent()) ?? "", /<img src=x onerror="window.__xss=1">/);
    assert.equal(await p.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    // The label chart counts the 4 rows found: 3 spam, 1 ham.
    await p.locator('[data-testid="label-count"][data-label="spam"][data-count="3"]').waitFor();
    await p.locator('[data-testid="label-count"][data-label="ham"][data-count="1"]').waitFor();
    assert.match((await p.locator('[data-testid="label-distribution"] figcaption').textContent()) ?? "", /The 4 rows containing "prize"/);
    await p.setViewportSize({ width: 1366, height: 900 });
  });
});

test("import on the page: the ignored fields and the repeated texts are warned of, and dedupe leaves the repeats out", { timeout: 120_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("polish-import", stack, async () => {
    await p.goto(`${base}/data`);
    const csv = ["label,text,source,<b>note</b>", "spam,cheap pills,web,1", "ham,hello,mail,2", "spam,cheap pills,web,3", "ham,cheap pills,web,4"].join("\n");
    await p.getByLabel("File", { exact: true }).setInputFiles({ name: "dups.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await p.getByRole("button", { name: "Check file" }).click();
    await p.locator('[data-testid="import-report"]').waitFor();
    const warnings = await p.locator('[data-testid="import-warning"]').allTextContents();
    assert.equal(warnings.length, 2, warnings.join(" | "));
    assert.match(warnings[0], /2 fields are not imported: source, <b>note<\/b>/);
    assert.match(warnings[1], /1 text occurs on more than one line \(2 repeated lines; 1 of them has different labels/);
    assert.equal(await p.locator('[data-testid="import-warnings"] b').count(), 0, "a field's name is text");
    await p.getByLabel(/Keep only the first line of each text/).check();
    // The choice makes the last check stale: the file is checked again with it.
    await p.getByRole("button", { name: "Check file" }).click();
    await p.waitForFunction(() => document.querySelector('[data-testid="import-accepted"]')?.textContent?.trim() === "2");
    assert.match((await p.locator('[data-testid="import-warning"]').nth(1).textContent()) ?? "", /2 lines left out/);
    await p.getByLabel("New table name").fill("dups_kept_first");
    await p.getByRole("button", { name: "Create table" }).click();
    await p.locator('[data-testid="import-done"]').waitFor();
    const rows = await stack!.database.db.$queryRawUnsafe<{ label: string; text: string }[]>(`SELECT label, text FROM dups_kept_first ORDER BY id`);
    assert.deepEqual(rows, [
      { label: "spam", text: "cheap pills" },
      { label: "ham", text: "hello" },
    ]);
  });
});

test("predict: the placeholder names the model and its labels, not another task's example", { timeout: 60_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("polish-predict", stack, async () => {
    await p.goto(`${base}/predict`);
    const box = p.getByLabel("Texts to classify");
    await p.waitForFunction(() => /with default/.test(document.querySelector("textarea")?.getAttribute("placeholder") ?? ""));
    assert.doesNotMatch((await box.getAttribute("placeholder")) ?? "", /experience|food|staff/i);
    // Nothing serves yet: the model's fixed labels, once it has some, are named.
    const set = await p.request.patch(`${base}/api/models/default`, { data: { labels: ["ham", "spam"] } });
    assert.equal(set.status(), 200, await set.text());
    await p.reload();
    await p.waitForFunction(() => /labels: ham, spam/.test(document.querySelector("textarea")?.getAttribute("placeholder") ?? ""));
    assert.match((await box.getAttribute("placeholder")) ?? "", /^Paste a text to classify with default \(labels: ham, spam\)\nOne text per line/);
  });
});

test("an icon on every page, and no asset request of a page load is a 404", { timeout: 120_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("polish-icon", stack, async () => {
    const missing: string[] = [];
    const onResponse = (r: Response) => {
      if (r.status() === 404) missing.push(`${r.request().resourceType()} ${r.url()}`);
    };
    p.on("response", onResponse);
    try {
      for (const path of ["/", "/runs", "/runs/new", "/models", "/data", "/predict", "/settings"]) {
        await p.goto(`${base}${path}`, { waitUntil: "networkidle" });
        const icons = await p.locator('link[rel="icon"]').evaluateAll((links) => links.map((l) => (l as HTMLLinkElement).href));
        assert.ok(icons.length > 0, `${path} links an icon`);
        for (const href of icons) {
          const r = await p.request.get(href);
          assert.equal(r.status(), 200, href);
          assert.match(r.headers()["content-type"] ?? "", /^image\//, href);
        }
      }
      // Browsers that ignore the link ask for /favicon.ico: it is there too.
      const ico = await p.request.get(`${base}/favicon.ico`);
      assert.equal(ico.status(), 200);
      assert.match(ico.headers()["content-type"] ?? "", /^image\//);
    } finally {
      p.off("response", onResponse);
    }
    assert.deepEqual(missing, []);
  });
});

test("new run: 'Seed' is the random seed only; Settings shows the starter's real token length", { timeout: 60_000 }, async () => {
  const p = stack!.page;
  await screenshotOnFailure("polish-wording", stack, async () => {
    await p.goto(`${base}/runs/new`);
    await p.getByLabel(/^Random seed/).waitFor();
    const text = (await p.locator("main").innerText()).replace(/\s+/g, " ");
    assert.doesNotMatch(text, /\bthe seed\b/i, "the original system is not called the seed");
    const labels = await p.locator("label").allTextContents();
    for (const l of labels.filter((x) => /seed/i.test(x))) assert.match(l, /random seed/i, l);
    assert.match(text, /Reset to the original system's example/);

    await p.goto(`${base}/settings`);
    const cell = p.locator('[data-testid="model-row"][data-name="default"] [data-testid="model-encoding"]');
    await cell.waitFor();
    assert.equal((await cell.textContent())?.trim(), `its own token embeddings, mean of up to ${STARTER_DEFAULTS.maxLength} tokens (fixed)`);
    assert.doesNotMatch((await p.locator('[data-testid="models-table"]').textContent()) ?? "", /\b128 tokens\b/);
    await p.getByRole("button", { name: "Edit default" }).click();
    assert.match((await p.locator('[data-testid="starter-encoding"]').textContent()) ?? "", new RegExp(`up to ${STARTER_DEFAULTS.maxLength} tokens`));
    assert.equal(await p.getByLabel("Max length (tokens)").count(), 0, "no length field that the starter would ignore");
  });
});
