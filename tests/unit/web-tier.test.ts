import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { test } from "node:test";
import bcrypt from "bcryptjs";
import { clientAddress } from "../../lib/auth/client-address";
import { hashPassword, verifyNoUser, verifyPassword } from "../../lib/auth/password";
import { appendPeer } from "../../lib/web/forwarded-for";
import { crossOriginRefusal } from "../../lib/web/same-origin";
import { contentSecurityPolicy } from "../../lib/web/security-headers";

const req = (method: string, headers: Record<string, string>) => ({ method, headers: new Headers({ host: "dash.example:3000", ...headers }) });

test("cross-origin writes: refused by Origin or Sec-Fetch-Site; reads, same-origin and token-only calls pass", () => {
  const refused = [
    req("POST", { cookie: "s=1", origin: "http://evil.example" }),
    req("DELETE", { cookie: "s=1", origin: "http://dash.example:3001" }),
    req("PATCH", { cookie: "s=1", origin: "null" }),
    req("POST", { cookie: "s=1", "sec-fetch-site": "cross-site" }),
    req("POST", { cookie: "s=1", "sec-fetch-site": "same-site", origin: "http://dash.example:3000" }),
    req("POST", { origin: "http://evil.example" }), // anonymous: the sign-in POST
    req("POST", { cookie: "s=1", authorization: "Bearer ftd_x", origin: "http://evil.example" }), // a cookie rides along
  ];
  for (const r of refused) assert.match(crossOriginRefusal(r) ?? "", /Cross-origin request refused/, JSON.stringify([...r.headers]));
  const allowed = [
    req("GET", { cookie: "s=1", origin: "http://evil.example", "sec-fetch-site": "cross-site" }),
    req("POST", { cookie: "s=1", origin: "http://dash.example:3000", "sec-fetch-site": "same-origin" }),
    req("POST", { cookie: "s=1", "sec-fetch-site": "none" }),
    req("POST", { authorization: "Bearer ftd_x", origin: "http://evil.example", "sec-fetch-site": "cross-site" }),
    req("POST", { cookie: "s=1" }), // no browser sends a POST without Origin: curl with a cookie
  ];
  for (const r of allowed) assert.equal(crossOriginRefusal(r), null, JSON.stringify([...r.headers]));
});

test("client address: the socket's unless proxies are trusted; entries a client wrote are never used", () => {
  assert.equal(clientAddress("203.0.113.9", 0), "203.0.113.9");
  assert.equal(clientAddress("1.2.3.4, 203.0.113.9", 0), "203.0.113.9", "a forged entry is ignored");
  assert.equal(clientAddress("1.2.3.4, 198.51.100.7, 10.0.0.2", 1), "198.51.100.7", "one trusted proxy");
  assert.equal(clientAddress("10.0.0.2", 3), "10.0.0.2", "fewer entries than proxies: the leftmost");
  assert.equal(clientAddress(null, 0), "unknown");

  const message = (xff?: string) => ({ headers: xff ? { "x-forwarded-for": xff } : {}, socket: { remoteAddress: "203.0.113.9" } }) as unknown as IncomingMessage;
  const forged = message("1.2.3.4");
  appendPeer(forged);
  assert.equal(forged.headers["x-forwarded-for"], "1.2.3.4, 203.0.113.9");
  const plain = message();
  appendPeer(plain);
  assert.equal(plain.headers["x-forwarded-for"], "203.0.113.9");
});

test("passwords: scrypt with every byte counted; old bcrypt hashes verify, ask for a rehash, and refuse >72 bytes", async () => {
  const long = "a".repeat(72) + "x".repeat(28);
  const h = await hashPassword(long);
  assert.match(h, /^scrypt\$15\$8\$1\$[\w-]+\$[\w-]+$/);
  assert.deepEqual(await verifyPassword(long, h), { ok: true, rehash: false });
  assert.equal((await verifyPassword("a".repeat(72) + "y".repeat(28), h)).ok, false);
  assert.notEqual(await hashPassword(long), h, "salted");

  const legacy = bcrypt.hashSync("old-password-1", 4);
  assert.deepEqual(await verifyPassword("old-password-1", legacy), { ok: true, rehash: true });
  assert.deepEqual(await verifyPassword("old-password-2", legacy), { ok: false, rehash: false });
  const legacyLong = bcrypt.hashSync(long, 4);
  assert.equal((await verifyPassword(long, legacyLong)).ok, false, "bcrypt cannot tell a >72-byte password from its first 72 bytes");
  assert.equal((await verifyPassword("anything", "not-a-hash")).ok, false);
  assert.equal(await verifyNoUser("anything"), false);
});

test("CSP: nonce and strict-dynamic for scripts, no eval outside development, framing refused", () => {
  const prod = contentSecurityPolicy("abc", false);
  assert.match(prod, /script-src 'self' 'nonce-abc' 'strict-dynamic';/);
  assert.match(prod, /frame-ancestors 'none'/);
  assert.doesNotMatch(prod, /unsafe-eval/);
  assert.match(contentSecurityPolicy("abc", true), /'unsafe-eval'/);
});
