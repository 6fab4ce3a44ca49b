import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { resetPassword } from "../../lib/auth/reset-password";
import { lockedForSeconds, recordFailure, throttleKeys } from "../../lib/auth/throttle";
import { verifyPassword } from "../../lib/auth/password";
import { ADMIN, createTestDatabase, type TestDatabase } from "../helpers/db";

// `npm run admin -- reset-password` at the library level (tests/browser/first-start.test.ts runs the
// command itself): a locked-out admin gets back in, and their old sessions end.

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(async () => {
  await t?.drop();
});

test("a password reset lifts the account's sign-in cool-down, ends its sessions, and leaves the address lock", async () => {
  const keys = throttleKeys(ADMIN.email, "203.0.113.7");
  for (let i = 0; i < 5; i++) await recordFailure(t.db, keys);
  assert.ok((await lockedForSeconds(t.db, keys)) > 0, "five failures lock the account");
  const before = await t.db.user.findUniqueOrThrow({ where: { email: ADMIN.email } });

  const reset = await resetPassword(t.db, ADMIN.email.toUpperCase());
  assert.equal(reset.email, ADMIN.email);
  assert.equal(reset.generated, true);

  assert.equal(await lockedForSeconds(t.db, [keys[0]!]), 0, "the account is no longer locked");
  const user = await t.db.user.findUniqueOrThrow({ where: { email: ADMIN.email } });
  assert.ok(user.sessionVersion > before.sessionVersion, "sessions signed in before the reset end");
  assert.equal((await verifyPassword(reset.password, user.passwordHash)).ok, true);
  assert.equal((await verifyPassword(ADMIN.password, user.passwordHash)).ok, false);
});

test("a reset names what is wrong: a malformed e-mail, an unknown user (with the admins), a short password", async () => {
  await assert.rejects(resetPassword(t.db, "not-an-address"), /EMAIL: "not-an-address" must be an e-mail address/);
  await assert.rejects(resetPassword(t.db, "nobody@localhost"), new RegExp(`No user has the e-mail nobody@localhost\\. Admins: ${ADMIN.email}`));
  await assert.rejects(resetPassword(t.db, ADMIN.email, "short"), /new password must be at least 8 characters/);
});
