import assert from "node:assert/strict";
import { test } from "node:test";
import { knownDbError } from "../../lib/db/errors";
import { AppError } from "../../lib/errors";
import { readJson, route } from "../../lib/http";

// The route wrapper and body reader every API route uses: generic 500s that carry a reference
// and no internal detail, the database's refusals as 4xx, JSON bodies typed, bounded and clean.

const jsonRequest = (body: BodyInit, headers: Record<string, string> = { "content-type": "application/json" }) =>
  new Request("http://localhost/api/x", { method: "POST", body, headers, duplex: "half" } as RequestInit);

async function status(p: Promise<unknown>): Promise<{ status: number; message: string; path?: string }> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AppError, String(err));
    return { status: err.status, message: err.message, path: err.issues?.[0]?.path };
  }
  return { status: 200, message: "" };
}

test("route: an unexpected error is a 500 with a reference, logged with its detail, never shown", async () => {
  const logged: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void logged.push(args);
  try {
    const res = await route(async () => {
      throw new Error('relation "secret_table" does not exist at /srv/app/lib/x.ts:12');
    })(new Request("http://localhost/api/x"), {});
    assert.equal(res.status, 500);
    const body = await res.json();
    assert.match(body.error, /^Internal error \(reference [0-9a-f]{8}\)$/);
    const reference = body.error.match(/reference (\w+)/)[1];
    assert.ok(logged.some((args) => String(args[0]).includes(reference) && String((args[1] as Error).message).includes("secret_table")));
  } finally {
    console.error = original;
  }
});

test("route: AppErrors keep their status, message and issues; NUL in a query is a 400 naming it", async () => {
  const res = await route(async () => {
    throw new AppError("not_found", 404, "No run has id x", [{ path: "id", message: "unknown" }]);
  })(new Request("http://localhost/api/x"), {});
  assert.equal(res.status, 404);
  assert.deepEqual(await res.json(), { error: "No run has id x", issues: [{ path: "id", message: "unknown" }] });
  const nul = await route(async () => new Response("reached"))(new Request("http://localhost/api/x?q=a%00b"), {});
  assert.equal(nul.status, 400);
  assert.equal((await nul.json()).issues[0].path, "q");
  const param = await route(async () => new Response("reached"))(new Request("http://localhost/api/x"), { params: Promise.resolve({ name: "a\u0000" }) });
  assert.equal((await param.json()).issues[0].path, "name");
});

test("knownDbError: duplicates are 409 naming the field, in each shape Prisma reports them", () => {
  const adapterShape = Object.assign(new Error("Unique constraint failed"), {
    code: "P2002",
    meta: { modelName: "User", driverAdapterError: { cause: { kind: "UniqueConstraintViolation", constraint: { fields: ["email"] } } } },
  });
  assert.deepEqual(knownDbError(adapterShape)?.issues, [{ path: "email", message: "is already used" }]);
  assert.equal(knownDbError(adapterShape)?.status, 409);
  assert.equal(knownDbError(Object.assign(new Error("x"), { code: "P2002", meta: { target: "Model_name_key" } }))?.issues[0]?.path, "name");
  const raw = Object.assign(new Error("Raw query failed. Code: `23505`. Message: `duplicate key value violates unique constraint`"), { code: "P2010" });
  assert.equal(knownDbError(raw)?.status, 409);
  assert.equal(knownDbError(Object.assign(new Error("invalid byte sequence for encoding \"UTF8\": 0x00"), { code: "22021" }))?.status, 400);
  assert.equal(knownDbError(Object.assign(new Error("gone"), { code: "P2025" }))?.status, 404);
  assert.equal(knownDbError(new Error("connection refused")), null, "anything else stays an internal error");
});

test("readJson: 415 unless JSON-typed, 413 past the limit with or without Content-Length, 400 for NUL or deep nesting", async () => {
  assert.equal((await status(readJson(jsonRequest("{}", { "content-type": "text/plain" })))).status, 415);
  assert.deepEqual(await readJson(jsonRequest('{"a":1}', { "content-type": "application/json; charset=utf-8" })), { a: 1 });
  assert.equal((await status(readJson(jsonRequest('{"a":"' + "x".repeat(2000) + '"}'), { limit: 1000 }))).status, 413);
  let pulled = 0;
  const endless = new ReadableStream<Uint8Array>({
    pull(c) {
      pulled++;
      c.enqueue(new Uint8Array(1024).fill(32));
    },
  });
  assert.equal((await status(readJson(jsonRequest(endless), { limit: 10 * 1024 }))).status, 413, "an endless chunked body stops at the limit");
  assert.ok(pulled < 20, `read ${pulled} chunks`);
  assert.deepEqual(await status(readJson(jsonRequest('{"a":[1,"x\\u0000"]}'))), { status: 400, message: "Invalid request: a.1: holds a NUL character (\\u0000), which cannot be stored", path: "a.1" });
  assert.equal((await status(readJson(jsonRequest("[".repeat(100) + "]".repeat(100))))).status, 400);
  assert.equal((await status(readJson(jsonRequest("{")))).status, 400);
});
