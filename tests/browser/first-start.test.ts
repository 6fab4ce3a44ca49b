// The README's first start, as a new user does it: `npm start` with no ADMIN_* variable prints the
// generated admin password, and that account signs in through the real login page. A later start
// names the recovery command, and `npm run admin -- reset-password` replaces the password, whether
// npm start is running or not.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchChromium, openPage, signIn } from "../helpers/browser";
import { isListening, newPlace, npm, npmStart, type NpmProcess, type Place } from "../helpers/npm-start";

let place: Place;
let browser: Browser;
let page: Page;
let running: (NpmProcess & { url: string }) | null = null;

before(async () => {
  place = await newPlace();
  browser = await launchChromium();
  page = await openPage(browser, {}, 60_000);
});

after(async () => {
  if (running) {
    process.kill(-running.child.pid!, "SIGTERM");
    await running.exited;
  }
  await browser?.close().catch(() => {});
  place?.remove();
});

async function stop(p: NpmProcess): Promise<void> {
  process.kill(p.child.pid!, "SIGTERM");
  await p.exited;
  assert.match(p.output(), /\[start\] Stopped\.$/m);
  running = null;
}

async function signInFails(url: string, email: string, password: string): Promise<void> {
  await page.context().clearCookies();
  await page.goto(`${url}/login`);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator('[data-testid="login-error"]').waitFor();
  assert.equal(new URL(page.url()).pathname, "/login");
}

async function resetPassword(env: NodeJS.ProcessEnv, email: string, input?: string): Promise<{ output: string; code: number | string }> {
  const p = npm(["run", "admin", "--", "reset-password", email, ...(input === undefined ? [] : ["--stdin"])], env, input);
  const code = await p.exited;
  return { output: p.output(), code };
}

test("first npm start without ADMIN_*: the printed admin signs in; later starts name the recovery command, which works", { timeout: 1_200_000 }, async () => {
  // 1. First start, exactly as the README says.
  running = await npmStart(place);
  const first = running;
  const [, email, password] = await first.waitForLine(/^\[start\] First start: created the admin (\S+) with password (\S+)$/m);
  assert.equal(email, "admin@localhost");
  await first.waitForLine(/^\[start\] This password is shown only once/m);

  await signIn(page, first.url, email, password);
  assert.equal(await page.locator('[data-testid="user-email"]').textContent(), "admin@localhost");

  // Settings → Add user accepts an address on a private network (no dot in the domain).
  await page.goto(`${first.url}/settings`);
  await page.getByLabel("E-mail", { exact: true }).fill("viewer@localhost");
  await page.getByLabel("Password", { exact: true }).fill("viewer-password");
  await page.getByRole("button", { name: "Create user" }).click();
  await page.locator('[data-testid="user-row"][data-email="viewer@localhost"]').waitFor();
  await stop(first);

  // 2. Second start on the same DATA_DIR: no new password, the recovery command instead.
  running = await npmStart(place);
  const second = running;
  await second.waitForLine(/^\[start\] .*npm run admin -- reset-password admin@localhost$/m);
  assert.doesNotMatch(second.output(), /created the admin/);

  // 3. Reset while npm start runs: the new password works, the old one no longer does.
  const reset = await resetPassword(place.env, "Admin@LocalHost");
  assert.equal(reset.code, 0, reset.output);
  const newPassword = reset.output.match(/^\[admin\] New password for admin@localhost: (\S+)$/m)?.[1];
  assert.ok(newPassword && newPassword !== password, reset.output);
  await signInFails(second.url, email, password);
  await signIn(page, second.url, email, newPassword);

  // A wrong e-mail is refused, naming the admins; nothing changes.
  const unknown = await resetPassword(place.env, "nobody@localhost");
  assert.equal(unknown.code, 1);
  assert.match(unknown.output, /No user has the e-mail nobody@localhost\. Admins: admin@localhost/);
  const malformed = await resetPassword(place.env, "not-an-address");
  assert.equal(malformed.code, 1);
  assert.match(malformed.output, /EMAIL: "not-an-address" must be an e-mail address/);
  await stop(second);

  // 4. Reset while nothing runs: the command starts the embedded PostgreSQL itself and stops it again.
  assert.equal(await isListening(place.pgPort), false);
  const chosen = "chosen-password-42";
  const offline = await resetPassword(place.env, "admin@localhost", `${chosen}\n`);
  assert.equal(offline.code, 0, offline.output);
  assert.match(offline.output, /Starting the embedded PostgreSQL/);
  assert.match(offline.output, /Set the password of admin@localhost to the one given \(stdin\)/);
  assert.doesNotMatch(offline.output, new RegExp(chosen));
  assert.equal(await isListening(place.pgPort), false, "reset-password left PostgreSQL running");

  running = await npmStart(place);
  await signInFails(running.url, email, newPassword);
  await signIn(page, running.url, email, chosen);
  await stop(running);
});
