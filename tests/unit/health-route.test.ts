// GET /api/health answers without sign-in and without the database: its module imports nothing
// but next/server (so no Prisma client, no session lookup), and it says {"ok":true}, not cached.
// tests/integration/web-tier.test.ts checks the same on a real `next start` whose database is cut.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { GET } from "../../app/api/health/route";

const file = path.resolve(import.meta.dirname, "../../app/api/health/route.ts");

test("the health route imports only next/server and the proxy's defences: no database client, no session", () => {
  const source = readFileSync(file, "utf8");
  const imports = [...source.matchAll(/\bfrom\s+["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|\brequire\s*\(\s*["']([^"']+)["']\s*\)/g)].map(
    (m) => m[1] ?? m[2] ?? m[3],
  );
  assert.deepEqual(imports, ["next/server", "@/lib/web/outside-proxy"]);
});

test("GET /api/health: 200 {ok: true}, Cache-Control no-store", async () => {
  const res = await GET(new Request("http://localhost/api/health"), {});
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("cache-control"), "no-store");
  assert.deepEqual(await res.json(), { ok: true });
});
