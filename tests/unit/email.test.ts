import assert from "node:assert/strict";
import { test } from "node:test";
import { emailSchema } from "../../lib/validations/email";

test("e-mail schema accepts local@domain, with or without a dot in the domain", () => {
  for (const ok of ["admin@localhost", "viewer@intranet", "a.b+c@example.com", "x@10.0.0.1", "ops@my-host.lan"]) {
    assert.equal(emailSchema.parse(ok), ok, ok);
  }
  assert.equal(emailSchema.parse("  Admin@LocalHost "), "admin@localhost");
});

test("e-mail schema refuses what is not local@domain, naming the rule", () => {
  for (const bad of ["", "admin", "@localhost", "admin@", "a@b@c", "a b@localhost", "a@-host", "a@host.", "a@.host", "a@ho st"]) {
    const r = emailSchema.safeParse(bad);
    assert.equal(r.success, false, bad);
    assert.match(r.error!.issues[0].message, /e-mail address/);
  }
});
