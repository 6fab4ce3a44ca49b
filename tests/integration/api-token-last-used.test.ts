import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createApiToken, LAST_USED_RESOLUTION_MS, userForToken } from "../../lib/auth/tokens";
import { ADMIN, createTestDatabase, type TestDatabase } from "../helpers/db";

// An API token's lastUsedAt is written at most once per LAST_USED_RESOLUTION_MS, so concurrent
// requests with one token do not each write its row; the token keeps authenticating throughout.

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(async () => {
  await t?.drop();
});

test("a token's lastUsedAt is written on first use and then at most once a minute", async () => {
  const admin = await t.db.user.findUniqueOrThrow({ where: { email: ADMIN.email } });
  const { id, token } = await createApiToken(t.db, admin.id, "last-used");
  const lastUsed = async () => (await t.db.apiToken.findUniqueOrThrow({ where: { id } })).lastUsedAt?.getTime() ?? null;
  assert.equal(await lastUsed(), null);

  const t0 = new Date("2026-11-30T00:00:00Z");
  assert.equal((await userForToken(t.db, token, t0))?.email, ADMIN.email);
  assert.equal(await lastUsed(), t0.getTime(), "first use is recorded");

  const soon = new Date(t0.getTime() + LAST_USED_RESOLUTION_MS - 1);
  const users = await Promise.all(Array.from({ length: 8 }, () => userForToken(t.db, token, soon)));
  assert.ok(users.every((u) => u?.id === admin.id), "every concurrent call authenticates");
  assert.equal(await lastUsed(), t0.getTime(), "uses within the resolution do not write");

  const later = new Date(t0.getTime() + LAST_USED_RESOLUTION_MS);
  await userForToken(t.db, token, later);
  assert.equal(await lastUsed(), later.getTime(), "a use a minute later is recorded");

  await t.db.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
  assert.equal(await userForToken(t.db, token, later), null, "a revoked token still fails at once");
});
