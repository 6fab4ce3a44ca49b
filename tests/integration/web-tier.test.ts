import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import bcrypt from "bcryptjs";
import { hashPassword } from "../../lib/auth/password";
import { ADMIN, createTestDatabase, type TestDatabase } from "../helpers/db";
import { client, login, type Client } from "../helpers/http";
import { startWebProcess, type Proc } from "../helpers/processes";
import { startTcpProxy } from "../helpers/tcp-proxy";

// The web tier of a real `next start` on a real PostgreSQL: cross-origin writes refused, sign-in
// throttling, equal sign-in time for known and unknown e-mails, hashing off the event loop,
// passwords longer than bcrypt's 72 bytes, sessions that end, security headers, the health check
// that needs neither a session nor the database.
// The server trusts one proxy (TRUST_PROXY=1), so each test names its own client address in
// X-Forwarded-For and the per-address limit of one test does not lock out the others.

let t: TestDatabase;
let web: Proc & { url: string };
let admin: Client;
const EVIL = "http://evil.example";

before(async () => {
  t = await createTestDatabase();
  web = await startWebProcess({ DATABASE_URL: t.url, NEXTAUTH_SECRET: t.authSecret, TRUST_PROXY: "1" });
  admin = await login(web.url, ADMIN.email, ADMIN.password);
});

after(async () => {
  await web?.stop();
  await t?.drop();
});

interface Attempt {
  status: number;
  signedIn: boolean;
  retryAfter: string | null;
  body: { error?: string; url?: string } | null;
  ms: number;
}

/** One credentials sign-in as the login form makes it, from `address`. */
async function attempt(email: string, password: string, address: string, headers: Record<string, string> = {}): Promise<Attempt> {
  const c = client(web.url);
  const fwd = { "x-forwarded-for": address };
  const { body: csrf } = await c.json<{ csrfToken: string }>("/api/auth/csrf", { headers: fwd });
  const started = performance.now();
  const res = await c.fetch("/api/auth/callback/credentials", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...fwd, ...headers },
    body: new URLSearchParams({ csrfToken: csrf.csrfToken, email, password, json: "true" }).toString(),
  });
  const text = await res.text();
  const ms = performance.now() - started;
  const signedIn = res.headers.getSetCookie().some((cookie) => cookie.includes("session-token=") && !cookie.includes("session-token=;"));
  return { status: res.status, signedIn, retryAfter: res.headers.get("retry-after"), body: text ? JSON.parse(text) : null, ms };
}

async function addUser(email: string, password: string, role: "admin" | "viewer" = "viewer"): Promise<string> {
  const u = await t.db.user.create({ data: { email, passwordHash: await hashPassword(password), role } });
  return u.id;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const counts = async () => ({
  users: await t.db.user.count(),
  tokens: await t.db.apiToken.count(),
  runs: await t.db.trainingRun.count(),
  promotions: await t.db.promotion.count(),
});

test("cross-origin writes with the admin's cookie are refused and write nothing; same-origin and Bearer ones work", async () => {
  const before = await counts();
  const writes: [string, unknown][] = [
    ["/api/users", { email: "mallory@example.com", password: "mallory-password", role: "admin" }],
    ["/api/tokens", { name: "stolen" }],
    ["/api/runs", { columns: "label,text", table: "demo_email", limit: 100 }],
    ["/api/models/default/promote", { versionId: "anything" }],
    ["/api/predict", { inputs: "proxy.ts skips this route: it refuses by itself" }],
  ];
  for (const [path, body] of writes) {
    const variants: Record<string, string>[] = [
      { origin: EVIL, "content-type": "text/plain" },
      { origin: EVIL, "sec-fetch-site": "cross-site", "content-type": "application/json" },
      { origin: web.url, "sec-fetch-site": "same-site", "content-type": "application/json" },
      { origin: "null", "content-type": "text/plain" },
    ];
    for (const headers of variants) {
      const res = await admin.fetch(path, { method: "POST", headers, body: JSON.stringify(body) });
      const answer = (await res.json()) as { error: string };
      assert.equal(res.status, 403, `${path} ${JSON.stringify(headers)} → ${res.status}`);
      assert.match(answer.error, /Cross-origin request refused/);
    }
  }
  const del = await admin.fetch("/api/tokens/x", { method: "DELETE", headers: { origin: EVIL } });
  assert.equal(del.status, 403);
  assert.deepEqual(await counts(), before, "nothing was written");

  // next-auth's own sign-in POST, cross-origin: refused even with a valid CSRF token and password.
  const crossLogin = await attempt(ADMIN.email, ADMIN.password, "10.1.0.1", { origin: EVIL, "sec-fetch-site": "cross-site" });
  assert.deepEqual([crossLogin.status, crossLogin.signedIn], [403, false]);

  // The dashboard's own pages: same origin.
  const same = { origin: web.url, "sec-fetch-site": "same-origin" };
  const user = await admin.json<{ id: string }>("/api/users", { method: "POST", headers: same, body: { email: "carol@example.com", password: "carol-password-1" } });
  assert.equal(user.status, 201);
  const token = await admin.json<{ token: string }>("/api/tokens", { method: "POST", headers: same, body: { name: "ci" } });
  assert.equal(token.status, 201);
  const promote = await admin.json("/api/models/default/promote", { method: "POST", headers: same, body: { versionId: "no-such-version" } });
  assert.notEqual(promote.status, 403, "a same-origin promotion passes the origin check");
  const predict = await admin.json("/api/predict", { method: "POST", headers: same, body: { inputs: "hello" } });
  assert.notEqual(predict.status, 403, "a same-origin prediction (the Predict page's) passes /api/predict's own check");

  // An API token and no cookie: not subject to the check (curl, CI).
  const bearer = client(web.url, { bearer: token.body.token });
  const run = await bearer.json("/api/runs", { method: "POST", headers: { origin: EVIL }, body: { columns: "label,text", table: "demo_email", limit: 100 } });
  assert.equal(run.status, 202);
  assert.equal(await t.db.trainingRun.count(), before.runs + 1);
  const throttleTable = await bearer.json("/api/runs", { method: "POST", body: { columns: "key,key", table: "LoginThrottle" } });
  assert.equal(throttleTable.status, 400, "the sign-in throttle is one of the product's own tables, which no run reads");
});

test("sign-in: 5 failures lock the account (429 + Retry-After, even with the right password); others are unaffected", async () => {
  await addUser("locked@example.com", "locked-password-1");
  await addUser("bystander@example.com", "bystander-password-1");
  for (let i = 0; i < 5; i++) {
    const a = await attempt("locked@example.com", `wrong-${i}-password`, "10.2.0.1");
    assert.notEqual(a.status, 429, `failure ${i + 1} is answered normally`);
    assert.equal(a.signedIn, false);
  }
  const refused = await attempt("locked@example.com", "locked-password-1", "10.2.0.9");
  assert.equal(refused.status, 429);
  assert.equal(refused.signedIn, false);
  const retryAfter = Number(refused.retryAfter);
  assert.ok(retryAfter > 800 && retryAfter <= 900, `Retry-After: ${refused.retryAfter}`);
  assert.match(refused.body?.error ?? "", /^Too many attempts, try again in 15 minutes$/);
  assert.equal(new URL(refused.body?.url ?? "").searchParams.get("error"), "TooManyAttempts");

  const other = await attempt("bystander@example.com", "bystander-password-1", "10.2.0.1");
  assert.deepEqual([other.status, other.signedIn], [200, true]);
  console.log(`# locked account: 429, Retry-After ${retryAfter} s; another account from the same address signs in`);
});

test("sign-in: 20 failures from one address lock that address for every account, not other addresses", async () => {
  await addUser("sprayed@example.com", "sprayed-password-1");
  const tries = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(`nobody-${i}@example.com`, "guess-password", "10.3.0.1")));
  assert.ok(tries.every((a) => a.status !== 429 && !a.signedIn));
  const refused = await attempt("sprayed@example.com", "sprayed-password-1", "10.3.0.1");
  assert.equal(refused.status, 429);
  assert.ok(Number(refused.retryAfter) > 0);
  const elsewhere = await attempt("sprayed@example.com", "sprayed-password-1", "10.3.0.2");
  assert.deepEqual([elsewhere.status, elsewhere.signedIn], [200, true]);
  // A client cannot pick its address: with one trusted proxy, entries further left are ignored.
  const forged = await attempt("sprayed@example.com", "sprayed-password-1", "10.3.0.5, 10.3.0.1");
  assert.equal(forged.status, 429);
});

test("sign-in takes as long for an unknown e-mail as for a known one", async () => {
  const known = ["t1@example.com", "t2@example.com", "t3@example.com"];
  for (const e of known) await addUser(e, "timing-password-1");
  await attempt("warm-up@example.com", "wrong-password", "10.4.0.99");
  const existing: number[] = [];
  const missing: number[] = [];
  for (let i = 0; i < 12; i++) {
    existing.push((await attempt(known[i % 3], "wrong-password", `10.4.0.${i}`)).ms);
    missing.push((await attempt(`missing-${i}@example.com`, "wrong-password", `10.4.1.${i}`)).ms);
  }
  const [e, m] = [median(existing), median(missing)];
  console.log(`# sign-in time, median of 12 wrong passwords: existing e-mail ${e.toFixed(0)} ms, missing e-mail ${m.toFixed(0)} ms`);
  assert.ok(Math.min(e, m) >= Math.max(e, m) / 3, `existing ${e.toFixed(0)} ms vs missing ${m.toFixed(0)} ms`);
});

test("forty parallel wrong sign-ins do not stall other requests", async () => {
  const logins = Promise.all(Array.from({ length: 40 }, (_, i) => attempt(`flood-${i}@example.com`, "wrong-password", `10.5.${i}.1`)));
  await new Promise((r) => setTimeout(r, 300));
  const latencies: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const me = await admin.json("/api/me");
    latencies.push(performance.now() - started);
    assert.equal(me.status, 200);
  }
  const started = performance.now();
  const done = await logins;
  const loginsMs = performance.now() - started;
  assert.ok(done.every((a) => !a.signedIn));
  console.log(`# GET /api/me during 40 parallel wrong sign-ins: ${latencies.map((l) => l.toFixed(0)).join(", ")} ms (the sign-ins still took ${loginsMs.toFixed(0)} ms more)`);
  // Loose, for a loaded machine: the first call may queue behind the flood's own 80 requests being
  // parsed; with hashing on the event loop every call waited for the hashes (9.4 s before).
  assert.ok(median(latencies) < 2000, `GET /api/me took ${latencies.map((l) => l.toFixed(0)).join(", ")} ms`);
});

test("passwords: every byte counts (no 72-byte cut), the API states the limit, old bcrypt hashes verify and are upgraded", async () => {
  const same = { origin: web.url };
  const a = "a".repeat(72) + "x".repeat(28);
  const b = "a".repeat(72) + "y".repeat(28);
  const created = await admin.json("/api/users", { method: "POST", headers: same, body: { email: "long@example.com", password: a } });
  assert.equal(created.status, 201);
  assert.equal((await attempt("long@example.com", b, "10.6.0.1")).signedIn, false, "differs after byte 72: refused");
  assert.equal((await attempt("long@example.com", a, "10.6.0.1")).signedIn, true);
  const tooLong = await admin.json<{ issues: { path: string; message: string }[] }>("/api/users", { method: "POST", headers: same, body: { email: "toolong@example.com", password: "p".repeat(201) } });
  assert.equal(tooLong.status, 400);
  assert.deepEqual(tooLong.body.issues, [{ path: "password", message: "must be at most 200 characters" }]);

  // A hash written by an earlier version (bcrypt, cost 10 here to keep the test quick).
  await t.db.user.create({ data: { email: "legacy@example.com", passwordHash: bcrypt.hashSync("legacy-password-1", 10), role: "viewer" } });
  assert.equal((await attempt("legacy@example.com", "legacy-password-2", "10.6.0.2")).signedIn, false);
  assert.equal((await attempt("legacy@example.com", "legacy-password-1", "10.6.0.2")).signedIn, true);
  const upgraded = await t.db.user.findUniqueOrThrow({ where: { email: "legacy@example.com" } });
  assert.match(upgraded.passwordHash, /^scrypt\$/);
  assert.equal((await attempt("legacy@example.com", "legacy-password-1", "10.6.0.2")).signedIn, true, "the new hash verifies");
  // A bcrypt hash of a >72-byte password cannot tell it from another with the same first 72 bytes.
  await t.db.user.create({ data: { email: "legacy-long@example.com", passwordHash: bcrypt.hashSync(a, 10), role: "viewer" } });
  assert.equal((await attempt("legacy-long@example.com", b, "10.6.0.3")).signedIn, false);
});

test("changing a user's role or password, or deleting them, ends their sessions", async () => {
  const same = { origin: web.url };
  const id = (await admin.json<{ id: string }>("/api/users", { method: "POST", headers: same, body: { email: "dave@example.com", password: "dave-password-1" } })).body.id;
  const patch = (body: unknown) => admin.json(`/api/users/${id}`, { method: "PATCH", headers: same, body });

  let dave = await login(web.url, "dave@example.com", "dave-password-1");
  assert.equal((await patch({ name: "Dave" })).status, 200);
  assert.equal((await dave.json("/api/me")).status, 200, "a new name keeps the session");
  assert.equal((await patch({ role: "admin" })).status, 200);
  assert.equal((await dave.json("/api/me")).status, 401, "role changed: session over");
  assert.equal((await dave.fetch("/", { redirect: "manual" })).status, 307, "and the pages send to the login page");

  dave = await login(web.url, "dave@example.com", "dave-password-1");
  assert.equal((await patch({ password: "dave-password-2" })).status, 200);
  assert.equal((await dave.json("/api/me")).status, 401, "password changed: session over");

  dave = await login(web.url, "dave@example.com", "dave-password-2");
  assert.equal((await admin.json(`/api/users/${id}`, { method: "DELETE", headers: same })).status, 200);
  assert.equal((await dave.json("/api/me")).status, 401, "deleted: session over");
});

test("security headers on a page, an API route, a static file, a refusal, /api/predict and /api/health (which proxy.ts skips), their 405s included", async () => {
  const page = await fetch(`${web.url}/login`);
  const html = await page.text();
  const asset = html.match(/src="(\/_next\/static\/[^"]+\.js)"/)?.[1];
  assert.ok(asset, "the login page loads a static script");
  const answers = {
    page,
    api: await fetch(`${web.url}/api/me`),
    asset: await fetch(web.url + asset),
    refusal: await fetch(`${web.url}/api/runs`, { method: "POST", headers: { origin: EVIL }, body: "{}" }),
    predict: await fetch(`${web.url}/api/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }),
    predictRefusal: await fetch(`${web.url}/api/predict`, { method: "POST", headers: { origin: EVIL, cookie: "x=y" }, body: "{}" }),
    predictNeighbour: await fetch(`${web.url}/api/predictions`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }),
    health: await fetch(`${web.url}/api/health`),
    predictGet: await fetch(`${web.url}/api/predict`),
    healthPost: await fetch(`${web.url}/api/health`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }),
  };
  assert.deepEqual(
    [answers.api.status, answers.asset.status, answers.refusal.status, answers.predict.status, answers.predictRefusal.status, answers.predictNeighbour.status, answers.health.status, answers.predictGet.status, answers.healthPost.status],
    [401, 200, 403, 401, 403, 404, 200, 405, 405],
  );
  assert.equal(answers.predictGet.headers.get("allow"), "POST");
  assert.equal(answers.healthPost.headers.get("allow"), "GET");
  for (const [what, res] of Object.entries(answers)) {
    const csp = res.headers.get("content-security-policy") ?? "";
    assert.match(csp, /frame-ancestors 'none'/, what);
    assert.match(csp, /script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/, what);
    assert.doesNotMatch(csp, /unsafe-eval/, what);
    assert.doesNotMatch(csp.match(/script-src[^;]*/)?.[0] ?? "", /unsafe-inline/, what);
    assert.equal(res.headers.get("x-frame-options"), "DENY", what);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff", what);
    assert.equal(res.headers.get("referrer-policy"), "same-origin", what);
  }
  // The page's scripts carry this answer's nonce, and the next answer has another.
  const nonce = page.headers.get("content-security-policy")!.match(/'nonce-([^']+)'/)![1];
  assert.ok(html.includes(`nonce="${nonce}"`), "scripts carry the nonce");
  const again = (await fetch(`${web.url}/login`)).headers.get("content-security-policy");
  assert.notEqual(again, page.headers.get("content-security-policy"));
});

test("GET /api/health: 200 {ok: true} with no session and no-store, and still 200 while the database is unreachable", async () => {
  const health = async (base: string) => {
    const res = await fetch(`${base}/api/health`, { redirect: "manual" });
    return { status: res.status, cacheControl: res.headers.get("cache-control"), body: await res.json() };
  };
  assert.deepEqual(await health(web.url), { status: 200, cacheControl: "no-store", body: { ok: true } });

  // A second web process reaches PostgreSQL through a proxy; cutting the proxy takes its database away.
  const target = new URL(t.url);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
  const cutOff = await startWebProcess({ DATABASE_URL: proxy.rewrite(t.url), NEXTAUTH_SECRET: t.authSecret, TRUST_PROXY: "1" });
  try {
    const signedIn = await login(cutOff.url, ADMIN.email, ADMIN.password);
    assert.equal((await signedIn.json("/api/me")).status, 200, "with its database, the session is read");
    proxy.cut();
    const me = await signedIn.json("/api/me");
    assert.ok(me.status >= 500, `without its database, a session lookup fails (got ${me.status})`);
    for (let i = 0; i < 3; i++) assert.deepEqual(await health(cutOff.url), { status: 200, cacheControl: "no-store", body: { ok: true } });
  } finally {
    await cutOff.stop();
    await proxy.close();
  }
});
