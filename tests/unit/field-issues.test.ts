import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { toFieldIssues } from "../../lib/validations/field-issues";

test("zod issues become field issues: nested paths joined, each unknown key its own issue, the body named when there is no path", () => {
  const schema = z.strictObject({ name: z.string(), head: z.strictObject({ size: z.number().int() }) });
  const bad = schema.safeParse({ name: 1, head: { size: 1.5, extra: true }, nme: "x", other: 2 });
  assert.equal(bad.success, false);
  const issues = toFieldIssues(bad.error!);
  assert.deepEqual(issues.map((i) => i.path).sort(), ["head.extra", "head.size", "name", "nme", "other"]);
  assert.equal(issues.find((i) => i.path === "nme")!.message, "is not a known field");
  const worded = toFieldIssues(bad.error!, (k) => `no such field "${k}"`);
  assert.equal(worded.find((i) => i.path === "other")!.message, 'no such field "other"');
  const body = z.object({}).safeParse("a string");
  assert.deepEqual(toFieldIssues(body.error!).map((i) => i.path), ["(body)"]);
});
