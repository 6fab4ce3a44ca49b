import assert from "node:assert/strict";
import { test } from "node:test";
import type { z } from "zod";
import { autoPromoteDecision, type AutoPromoteInput } from "../../lib/schedules/auto-promote";
import { cronProblem, nextTick } from "../../lib/schedules/cron";
import { createScheduleSchema, patchScheduleSchema } from "../../lib/schedules/schema";
import { backoffMs } from "../../lib/webhooks/outbox";
import { createWebhookSchema } from "../../lib/webhooks/schema";
import { signBody, verifySignature } from "../../lib/webhooks/sign";
import { toFieldIssues } from "../../lib/validations/field-issues";

// The pure parts of scheduled retraining and notifications: the auto-promotion guard, cron
// expressions, body schemas, signatures and back-off.

const RULE = { metric: "accuracy" as const, minDelta: 0.005, minTestRows: 50 };
const fair = (over: Partial<AutoPromoteInput> = {}): AutoPromoteInput => ({
  comparison: { comparable: true, reason: null, labelChange: null },
  split: { kind: "stable", key: "id", rows: "all", trainRows: 400, testRows: 100, testRowsSeenByOld: 0, scoredRows: 100, newRows: 0 },
  metricsOld: { accuracy: 0.9, f1: 0.9 },
  metricsNew: { accuracy: 0.912, f1: 0.88 },
  ...over,
});

test("auto-promotion: accepted when comparable, no seen test rows, enough rows and the metric improved enough", () => {
  assert.deepEqual(autoPromoteDecision(fair(), RULE), { promote: true, reason: "accuracy +1.2 pp ≥ 0.5 pp" });
  // exactly minDelta counts, whatever the floating-point subtraction gives
  assert.equal(autoPromoteDecision(fair({ metricsOld: { accuracy: 0.92 }, metricsNew: { accuracy: 0.93 } }), { ...RULE, minDelta: 0.01 }).promote, true);
  assert.equal(autoPromoteDecision(fair(), { ...RULE, minTestRows: 100 }).promote, true, "scoredRows equal to minTestRows is enough");
});

test("auto-promotion: refused in each guarded case, with the reason", () => {
  const split = fair().split!;
  const cases: [string, AutoPromoteInput, RegExp][] = [
    ["not comparable", fair({ comparison: { comparable: false, reason: "the labels changed", labelChange: { added: ["x"], removed: [] } } }), /not comparable.*labels changed/],
    ["no comparison (nothing served)", fair({ comparison: null }), /not compared/],
    ["no split", fair({ split: null }), /split/],
    ["seen test rows", fair({ split: { ...split, testRowsSeenByOld: 3 } }), /^3 test rows were seen by the serving version$/],
    ["one seen test row", fair({ split: { ...split, testRowsSeenByOld: 1 } }), /^1 test row was seen/],
    ["too few test rows", fair({ split: { ...split, scoredRows: 12 } }), /only 12 test rows were scored, fewer than 50/],
    ["no old metrics", fair({ metricsOld: null }), /no old metrics/],
    ["old metrics lack the metric", fair({ metricsOld: { f1: 0.5 } }), /no old metrics/],
    ["delta too small", fair({ metricsNew: { accuracy: 0.902 } }), /^accuracy \+0\.2 pp < 0\.5 pp$/],
    ["worse", fair({ metricsNew: { accuracy: 0.85 } }), /^accuracy −5\.0 pp < 0\.5 pp$/],
  ];
  for (const [name, run, reason] of cases) {
    const d = autoPromoteDecision(run, RULE);
    assert.equal(d.promote, false, name);
    assert.match(d.reason, reason, name);
  }
  // the rule's metric is the one compared: f1 got worse here
  assert.match(autoPromoteDecision(fair(), { ...RULE, metric: "f1" }).reason, /^f1 −2\.0 pp < 0\.5 pp$/);
});

test("cron: 5 fields, 6 with seconds, nicknames; clear problems otherwise; ticks in UTC", () => {
  for (const ok of ["0 3 * * *", "*/5 * * * * *", "@daily", "0 0 * * MON"]) assert.equal(cronProblem(ok), null, ok);
  assert.match(cronProblem("* * *")!, /5 fields/);
  assert.match(cronProblem("61 * * * *")!, /not a valid cron expression/);
  assert.match(cronProblem("every day")!, /5 fields/);
  assert.equal(nextTick("0 3 * * *", new Date("2026-01-01T03:00:00Z"))!.toISOString(), "2026-01-02T03:00:00.000Z");
  assert.equal(nextTick("*/10 * * * * *", new Date("2026-01-01T00:00:01Z"))!.toISOString(), "2026-01-01T00:00:10.000Z");
});

test("schedule bodies: bad fields are named (cron, autoPromote.metric, autoPromote.minDelta, autoPromote.minTestRows, unknown keys)", () => {
  const base = { model: "default", cron: "0 3 * * *", request: { table: "demo_email", columns: "label,text" } };
  assert.ok(createScheduleSchema.safeParse(base).success);
  assert.ok(createScheduleSchema.safeParse({ ...base, autoPromote: { metric: "macro_f1", minDelta: 0.01, minTestRows: 20 } }).success);
  const paths = (body: unknown, schema: z.ZodType = createScheduleSchema) => {
    const r = schema.safeParse(body);
    return r.success ? [] : toFieldIssues(r.error).map((i) => i.path);
  };
  assert.deepEqual(paths({ ...base, cron: "bad" }), ["cron"]);
  assert.deepEqual(paths({ ...base, cron: 5 }), ["cron"]);
  assert.deepEqual(paths({ ...base, request: [] }), ["request"]);
  assert.deepEqual(paths({ ...base, autoPromote: { metric: "auc", minDelta: "1", minTestRows: 0.5 } }).sort(), ["autoPromote.metric", "autoPromote.minDelta", "autoPromote.minTestRows"]);
  assert.deepEqual(paths({ ...base, autoPromote: { metric: "accuracy", minDelta: 0.01, minTestRows: 0 } }), ["autoPromote.minTestRows"]);
  assert.deepEqual(paths({ ...base, extra: 1 }), ["extra"]);
  assert.deepEqual(paths({ enabled: "yes" }, patchScheduleSchema), ["enabled"]);
  assert.deepEqual(paths({ model: "x" }, patchScheduleSchema), ["model"], "the model of a schedule cannot change");
});

test("webhook bodies: http(s) URLs only, known events, a secret of at least 16 characters", () => {
  const base = { url: "https://example.com/hook", events: ["run.finished"], secret: "0123456789abcdef" };
  assert.ok(createWebhookSchema.safeParse(base).success);
  const paths = (body: unknown) => {
    const r = createWebhookSchema.safeParse(body);
    return r.success ? [] : [...new Set(toFieldIssues(r.error).map((i) => i.path.split(".")[0]))];
  };
  for (const url of ["ftp://example.com/x", "javascript:alert(1)", "file:///etc/passwd", "not a url", "https://user:pw@example.com/"]) assert.deepEqual(paths({ ...base, url }), ["url"], url);
  assert.deepEqual(paths({ ...base, events: [] }), ["events"]);
  assert.deepEqual(paths({ ...base, events: ["run.started"] }), ["events"]);
  assert.deepEqual(paths({ ...base, events: ["run.finished", "run.finished"] }), ["events"]);
  assert.deepEqual(paths({ ...base, secret: "short" }), ["secret"]);
  assert.deepEqual(paths({ ...base, secret: 42 }), ["secret"]);
  assert.deepEqual(paths("x"), ["(body)"]);
});

test("signatures are HMAC-SHA256 of the exact body bytes; back-off doubles up to its cap", () => {
  const body = '{"event":"run.finished","createdAt":"2026-01-01T00:00:00.000Z","data":{}}';
  // printf '%s' "$body" | openssl dgst -sha256 -hmac secret
  assert.equal(signBody("secret", body), "sha256=9370f034576a711227cbc7cf1469b42cd173783d5f97498e89d40f6483371f1f");
  assert.ok(verifySignature("secret", body, signBody("secret", body)));
  assert.ok(!verifySignature("secret", `${body} `, signBody("secret", body)), "one more byte breaks it");
  assert.ok(!verifySignature("other", body, signBody("secret", body)));
  assert.ok(!verifySignature("secret", body, null));
  assert.deepEqual([1, 2, 3, 4, 20].map((a) => backoffMs(a, { baseMs: 1000, maxMs: 10_000 })), [1000, 2000, 4000, 8000, 10_000]);
});
