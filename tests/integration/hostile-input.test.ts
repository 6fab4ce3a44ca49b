import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { STATIC_MODEL_TYPE } from "../../lib/kinds/starter/artifact";
import { ADMIN, createTestDatabase, tmpDir, type TestDatabase } from "../helpers/db";
import { login, type Client } from "../helpers/http";
import { startWebProcess, type Proc } from "../helpers/processes";

// Bad input against a real `next start` and PostgreSQL: every answer is a 4xx with a JSON `error`,
// never a 500 and never a frozen server. Imports of pathological files (CRLF header with LF rows,
// 50 MB of garbage, chunked uploads past the limit) leave other requests answering; JSON bodies
// are bounded (413) and typed (415); duplicates created at once are one 201 and 409s.

let t: TestDatabase;
let web: Proc & { url: string };
let admin: Client;

const MB = 1024 * 1024;

before(async () => {
  t = await createTestDatabase();
  const modelsDir = tmpDir("models");
  mkdirSync(path.join(modelsDir, "starter"), { recursive: true });
  writeFileSync(path.join(modelsDir, "starter", "config.json"), JSON.stringify({ model_type: STATIC_MODEL_TYPE }));
  web = await startWebProcess({ DATABASE_URL: t.url, NEXTAUTH_SECRET: t.authSecret, MODELS_DIR: modelsDir });
  admin = await login(web.url, ADMIN.email, ADMIN.password);
});

after(async () => {
  await web?.stop();
  await t?.drop();
});

type Answer = { status: number; body: any; ms: number };

async function answer(res: Response, started: number): Promise<Answer> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON: kept as text for the assertion message */
  }
  return { status: res.status, body, ms: performance.now() - started };
}

async function upload(content: BlobPart, name: string, fields: Record<string, string> = {}): Promise<Answer> {
  const form = new FormData();
  form.set("file", new Blob([content]), name);
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  const started = performance.now();
  return answer(await admin.fetch("/api/import", { method: "POST", body: form }), started);
}

/** Runs `work` while GET /api/me is asked again and again; says how many answered meanwhile and how fast. */
async function whileAnswering<T>(work: Promise<T>): Promise<{ result: T; answered: number; slowestMs: number }> {
  let done = false;
  const result = work.finally(() => (done = true));
  let answered = 0;
  let slowestMs = 0;
  while (!done) {
    const started = performance.now();
    const me = await admin.fetch("/api/me");
    await me.text();
    if (!done) {
      assert.equal(me.status, 200);
      answered++;
      slowestMs = Math.max(slowestMs, performance.now() - started);
    }
  }
  return { result: await result, answered, slowestMs };
}

function assertJsonError(a: Answer, what: string) {
  assert.ok(a.status >= 400 && a.status < 500, `${what}: ${a.status} ${JSON.stringify(a.body).slice(0, 300)}`);
  assert.equal(typeof a.body?.error, "string", `${what}: no JSON error: ${String(a.body).slice(0, 300)}`);
}

test("a CSV whose header ends in CRLF and rows in LF is read in one pass while other requests answer", async (ctx) => {
  const rows = 200_000;
  const csv = ["label,text\r\n", ...Array.from({ length: rows }, (_, i) => `${i % 3 ? "ham" : "spam"},"message, number ${i}"\n`)].join("");
  const { result, answered, slowestMs } = await whileAnswering(upload(csv, "mixed.csv"));
  assert.equal(result.status, 200, JSON.stringify(result.body).slice(0, 300));
  assert.equal(result.body.accepted, rows);
  assert.equal(result.body.rejectedCount, 0);
  assert.deepEqual(result.body.preview[1], { line: 3, label: "ham", text: "message, number 1" });
  ctx.diagnostic(`import of ${(csv.length / MB).toFixed(1)} MB: ${Math.round(result.ms)} ms; ${answered} GETs answered meanwhile, slowest ${Math.round(slowestMs)} ms`);
  assert.ok(answered >= 1, "GET /api/me answered while the import was being read");
  assert.ok(slowestMs < 2000, `a GET waited ${Math.round(slowestMs)} ms during the import`);
});

test("50 MB of binary garbage is answered with a 4xx and the server keeps answering", async (ctx) => {
  const garbage = new Uint8Array(50 * MB - 1024);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (Math.imul(i, 2654435761) >>> 24) & 0xff;
  const { result, answered } = await whileAnswering(upload(garbage, "garbage.csv", { table: "garbage" }));
  assertJsonError(result, "garbage upload");
  ctx.diagnostic(`garbage: ${result.status} in ${Math.round(result.ms)} ms (${result.body.error}); ${answered} GETs answered meanwhile`);
  assert.ok(answered >= 1);
  const [{ n }] = await t.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'garbage'`;
  assert.equal(Number(n), 0);
});

test("pathological files: one huge line, a never-closed quote, NULs, 100k columns, a 40 MB JSONL line", async () => {
  const cases: [string, BlobPart, string, (a: Answer) => void][] = [
    ["one 20 MB line", "label,text\nspam," + "a".repeat(20 * MB), "huge.csv", (a) => assert.match(a.body.rejected[0].reason, /line longer than/)],
    ["a never-closed quote", 'label,text\nham,fine\nspam,"' + "x,y\n".repeat(100_000), "quote.csv", (a) => assert.equal(a.body.accepted, 1)],
    ["100,000 columns", Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(",") + "\n", "wide.csv", (a) => assert.match(a.body.error, /more than 1000 fields/)],
    ["a 40 MB JSONL line", JSON.stringify({ label: "a", text: "x".repeat(40 * MB) }) + '\n{"label":"b","text":"ok"}\n', "big.jsonl", (a) => assert.equal(a.body.accepted, 1)],
    ["NULs", "label,text\na,b\u0000c\n", "nul.csv", (a) => assert.match(a.body.error, /line 2 holds a NUL/)],
  ];
  for (const [what, content, name, check] of cases) {
    const a = await upload(content, name, what === "NULs" ? { table: "with_nul" } : {});
    assert.ok(a.status === 200 || a.status === 400, `${what}: ${a.status} ${JSON.stringify(a.body).slice(0, 300)}`);
    check(a);
  }
});

/** A multipart upload sent in chunks with no Content-Length. */
function chunkedUpload(fileBytes: number): RequestInit & { duplex: "half" } {
  const boundary = "----hostile" + Date.now();
  const head = new TextEncoder().encode(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\nlabel,text\n`);
  const line = new TextEncoder().encode("spam,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n".repeat(1024));
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === 0) controller.enqueue(head);
      if (sent >= fileBytes) {
        controller.enqueue(new TextEncoder().encode(`\r\n--${boundary}--\r\n`));
        controller.close();
        return;
      }
      controller.enqueue(line);
      sent += line.length;
    },
  });
  return { method: "POST", body, duplex: "half", headers: { "content-type": `multipart/form-data; boundary=${boundary}` } };
}

test("a chunked upload past the limit (no Content-Length) is refused with 413", async () => {
  const started = performance.now();
  let a: Answer;
  try {
    a = await answer(await admin.fetch("/api/import", chunkedUpload(60 * MB)), started);
  } catch (err) {
    assert.fail(`the server closed the connection instead of answering 413: ${(err as Error).message}`);
  }
  assert.equal(a.status, 413, JSON.stringify(a.body));
  assert.match(a.body.error, /limited to 50\.0 MB/);
  const small = await answer(await admin.fetch("/api/import", chunkedUpload(MB)), performance.now());
  assert.equal(small.status, 200, JSON.stringify(small.body).slice(0, 300));
  assert.ok(small.body.accepted > 10_000);
});

test("JSON bodies: over 1 MB is 413 (with or without Content-Length), not JSON-typed is 415", async () => {
  const big = JSON.stringify({ name: "x".repeat(MB + 10) });
  const declared = await answer(await admin.fetch("/api/tokens", { method: "POST", body: big, headers: { "content-type": "application/json" } }), 0);
  assert.equal(declared.status, 413, JSON.stringify(declared.body).slice(0, 300));
  assert.match(declared.body.error, /larger than 1 MB/);
  const bytes = new TextEncoder().encode(big);
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < bytes.length; i += 64 * 1024) c.enqueue(bytes.subarray(i, i + 64 * 1024));
      c.close();
    },
  });
  const chunked = await answer(
    await admin.fetch("/api/runs", { method: "POST", body: stream, headers: { "content-type": "application/json" }, duplex: "half" } as RequestInit),
    0,
  );
  assert.equal(chunked.status, 413, JSON.stringify(chunked.body).slice(0, 300));
  for (const type of ["text/plain", "application/x-www-form-urlencoded", ""]) {
    const a = await answer(await admin.fetch("/api/tokens", { method: "POST", body: JSON.stringify({ name: "ci" }), headers: type ? { "content-type": type } : {} }), 0);
    assert.equal(a.status, 415, `${type}: ${JSON.stringify(a.body)}`);
    assert.match(a.body.error, /application\/json/);
  }
  const importAsJson = await admin.json("/api/import", { method: "POST", body: { file: "x" } });
  assert.equal(importAsJson.status, 415);
  assert.equal((await admin.json("/api/tokens", { method: "POST", body: { name: "ok" } })).status, 201);
});

test("predict: empty inputs are 400; too many or too long name the limit", async () => {
  const cases: [unknown, RegExp][] = [
    ["", /inputs: must not be empty/],
    ["   ", /inputs: must not be empty/],
    [["fine", ""], /inputs\.1: must not be empty/],
    [[], /inputs: must hold at least one text/],
    [Array(1001).fill("text"), /at most 1000 texts/],
    ["x".repeat(100_001), /at most 100,000 characters/],
    [{ text: "x" }, /must be a string or a list of strings/],
  ];
  for (const [inputs, message] of cases) {
    const r = await admin.json<any>("/api/predict", { method: "POST", body: { inputs } });
    assert.equal(r.status, 400, `${JSON.stringify(inputs).slice(0, 40)}: ${r.status}`);
    assert.match(r.body.error, message);
  }
  const nul = await admin.json<any>("/api/predict", { method: "POST", body: { inputs: ["a", "b\u0000c"] } });
  assert.equal(nul.status, 400);
  assert.deepEqual(nul.body.issues[0].path, "inputs.1");
  const over = await admin.json<any>("/api/predict", { method: "POST", body: { inputs: Array(1000).fill("y".repeat(9000)) } });
  assert.equal(over.status, 413, "predict's body limit is 8 MB");
});

test("NUL characters in a search or a route parameter are 400 naming the parameter", async () => {
  const search = await admin.json<any>(`/api/tables/demo_email/rows?q=${encodeURIComponent("spam\u0000")}`);
  assert.equal(search.status, 400, JSON.stringify(search.body));
  assert.equal(search.body.issues[0].path, "q");
  const param = await admin.json<any>("/api/tables/demo%00email/preview");
  assert.equal(param.status, 400, JSON.stringify(param.body));
  assert.equal(param.body.issues[0].path, "name");
  const body = await admin.json<any>("/api/users", { method: "POST", body: { email: "nul@example.com", password: "long-enough", name: "a\u0000b" } });
  assert.equal(body.status, 400);
  assert.equal(body.body.issues[0].path, "name");
});

test("escapes in route parameters are decoded once: %25 and encoded slashes or dots are 404/400, never 500", async () => {
  for (const p of ["%25", "100%25", "%2e%2e%2f%2e%2e", "..%2F..%2Fetc%2Fpasswd", "%F0%9F%92%A9", "a%2Fb"]) {
    for (const url of [`/api/models/${p}`, `/api/models/${p}/versions`, `/api/models/versions/${p}/export`, `/api/runs/${p}`, `/api/tables/${p}/rows`]) {
      const r = await admin.fetch(url);
      const a = await answer(r, 0);
      assert.ok(a.status === 400 || a.status === 404, `${url}: ${a.status} ${JSON.stringify(a.body).slice(0, 200)}`);
    }
  }
  const pct = await admin.json<any>("/api/models/100%25");
  assert.match(pct.body.error, /No model is named "100%"/, "decoded exactly once");
});

test("a malformed escape in the path (%E0%A4%A, a lone %) is a JSON 400 with the security headers, on API routes and pages", async () => {
  for (const url of ["/api/models/%E0%A4%A", "/api/models/%", "/api/runs/%zz/logs", "/runs/%E0%A4%A", "/%"]) {
    const r = await admin.fetch(url);
    const a = await answer(r, 0);
    assert.equal(a.status, 400, `${url}: ${a.status} ${JSON.stringify(a.body).slice(0, 200)}`);
    assert.match(String(a.body?.error), /malformed %-escape/, url);
    assert.equal(r.headers.get("x-content-type-options"), "nosniff", url);
    assert.match(r.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/, url);
  }
  const fine = await admin.fetch("/api/models/default?note=%zz");
  assert.equal(fine.status, 200, "a malformed escape in the query string is left to the route");
});

test("20 concurrent creations of one user, or one model, give one 201 and 409s naming the field", async () => {
  const same = <T>(n: number, f: () => Promise<T>) => Promise.all(Array.from({ length: n }, f));
  const users = await same(20, () => admin.json<any>("/api/users", { method: "POST", body: { email: "race@example.com", password: "long-enough" } }));
  assert.deepEqual(users.map((u) => u.status).sort(), [201, ...Array(19).fill(409)], JSON.stringify(users.filter((u) => u.status !== 201 && u.status !== 409)));
  for (const u of users.filter((x) => x.status === 409)) assert.equal(u.body.issues[0].path, "email", JSON.stringify(u.body));
  const models = await same(20, () => admin.json<any>("/api/models", { method: "POST", body: { name: "race-model", base: "starter" } }));
  assert.deepEqual(models.map((m) => m.status).sort(), [201, ...Array(19).fill(409)], JSON.stringify(models.filter((m) => m.status !== 201 && m.status !== 409)));
  for (const m of models.filter((x) => x.status === 409)) assert.match(m.body.error, /name/, JSON.stringify(m.body));
  assert.equal(await t.db.user.count({ where: { email: "race@example.com" } }), 1);
});

// The fuzz sweep: every API route, as an admin, with hostile parameters, queries and bodies.

const PARAMS = ["%E0%A4%A", "%", "%00", "%25", "..%2F..%2Fetc%2Fpasswd", "x".repeat(3000), "null", "-1", "1e309", "'%20OR%201%3D1--", "%F0%9F%92%A9", "a.b.c", "__proto__"];
const QUERIES = ["", "?q=%00", "?sort=-%00&tag=%27%3B--", "?q=%25%5C_", "?limit=1e309&offset=-1", "?limit=abc", "?after=99999999999999999999999", "?status=%5B%5D", "?q=" + "z".repeat(5000), "?rows=NaN&label=%00", "?label=x&text=y"];
const BODIES: (string | undefined)[] = [
  undefined,
  "",
  "null",
  "[]",
  '"a string"',
  "42",
  "{",
  '{"__proto__":{"admin":true}}',
  "[".repeat(5000) + "]".repeat(5000),
  JSON.stringify({ table: "x".repeat(100_000), columns: ["a"], limit: 1e308, p_of_train: "NaN" }),
  JSON.stringify({ inputs: ["\u0000"], model: "../../etc" }),
  JSON.stringify({ name: ["a"], email: { $gt: "" }, password: null, role: "root", versionId: {} }),
  JSON.stringify({ name: "../x", base: "../../etc", pooling: 1, maxLength: -1, head: "mlp" }),
  JSON.stringify({ num_train_epochs: 1e308, learning_rate: -1e-308, per_device_train_batch_size: 2 ** 53, seed: "1" }),
  JSON.stringify({ table: "demo_email", columns: "label,text", limit: 0.5, p_of_train: 1, model: "\u202e" }),
];

const ROUTES: { method: string; path: string }[] = [
  ...["/api/base-models", "/api/me", "/api/overview", "/api/workers", "/api/tables", "/api/models", "/api/runs", "/api/tokens", "/api/users", "/api/settings/training-defaults"].map((p) => ({ method: "GET", path: p })),
  ...["/api/models/:p", "/api/models/:p/versions", "/api/models/versions/:p/export", "/api/runs/:p", "/api/runs/:p/logs", "/api/runs/:p/events", "/api/tables/:p/preview", "/api/tables/:p/rows"].map((p) => ({ method: "GET", path: p })),
  ...["/api/runs", "/api/predict", "/api/tokens", "/api/users", "/api/models", "/api/models/:p/promote", "/api/runs/:p/cancel", "/api/import"].map((p) => ({ method: "POST", path: p })),
  { method: "PATCH", path: "/api/models/:p" },
  { method: "PATCH", path: "/api/users/:p" },
  { method: "PATCH", path: "/api/runs/:p" },
  { method: "PUT", path: "/api/settings/training-defaults" },
  ...["/api/models/:p", "/api/tokens/:p", "/api/users/:p"].map((p) => ({ method: "DELETE", path: p })),
];

test("fuzz: no route answers a hostile request with a 500 or without a JSON error", async (ctx) => {
  const requests: { method: string; url: string; body?: string; type?: string }[] = [];
  const real = (path: string) => (path.startsWith("/api/tables") ? "demo_email" : path.startsWith("/api/models/:p") ? "default" : "x");
  for (const r of ROUTES) {
    // hostile parameters with a plain request; then every hostile query or body on a real parameter
    const hostile = r.path.includes(":p") ? PARAMS.map((p) => r.path.replace(":p", p)) : [];
    const target = r.path.replace(":p", real(r.path));
    if (r.method === "GET") {
      for (const url of hostile) requests.push({ method: "GET", url });
      for (const q of QUERIES) requests.push({ method: "GET", url: target + q });
    } else {
      for (const url of hostile) requests.push({ method: r.method, url, body: "{}", type: "application/json" });
      for (const body of BODIES) requests.push({ method: r.method, url: target, body, type: "application/json" });
      requests.push({ method: r.method, url: target, body: "{}", type: "text/plain" });
      requests.push({ method: r.method, url: target, body: '--x\r\nContent-Disposition: form-data; name="file"\r\n\r\n\u0000\u0001', type: "multipart/form-data; boundary=x" });
    }
  }
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const r = requests[next++]!;
      const res = await admin.fetch(r.url, { method: r.method, body: r.body, headers: r.type ? { "content-type": r.type } : {} });
      const a = await answer(res, 0);
      const what = `${r.method} ${r.url.slice(0, 80)} ${r.type ?? ""} ${(r.body ?? "").slice(0, 60)}`;
      if (a.status >= 500) failures.push(`${what} → ${a.status} ${JSON.stringify(a.body).slice(0, 200)}`);
      else if (a.status >= 400 && typeof a.body?.error !== "string") failures.push(`${what} → ${a.status} without a JSON error`);
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  ctx.diagnostic(`${requests.length} hostile requests`);
  assert.deepEqual(failures, []);
  assert.doesNotMatch(web.output(), /internal error, reference/, "no request reached the generic 500");
});
