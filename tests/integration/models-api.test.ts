import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { hashPassword } from "../../lib/auth/password";
import { writeSynthBert } from "../../scripts/lib/synth-bert";
import { ADMIN, createTestDatabase, tmpDir, type TestDatabase } from "../helpers/db";
import { login, type Client } from "../helpers/http";
import { startWebProcess, type Proc } from "../helpers/processes";

// Configured models over HTTP: base models, add / edit / remove, validation, roles.

let t: TestDatabase;
let web: Proc & { url: string };
let admin: Client;
let viewer: Client;

const VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ...("abcdefghijklmnopqrstuvwxyz".split("")), "the", "spam", "ham", "free", "meeting"];

before(async () => {
  t = await createTestDatabase();
  const modelsDir = tmpDir("models");
  await writeSynthBert(path.join(modelsDir, "tiny-bert"), { layers: 1, hidden: 16, heads: 2, vocab: VOCAB, maxPosition: 64, quantized: false });
  web = await startWebProcess({ DATABASE_URL: t.url, NEXTAUTH_SECRET: t.authSecret, MODELS_DIR: modelsDir });
  await t.db.user.create({ data: { email: "v@example.com", passwordHash: await hashPassword("viewer-password-1"), role: "viewer" } });
  admin = await login(web.url, ADMIN.email, ADMIN.password);
  viewer = await login(web.url, "v@example.com", "viewer-password-1");
});

after(async () => {
  await web?.stop();
  await t?.drop();
});

test("base models list the encoder folder with its shape", async () => {
  const r = await admin.json<any[]>("/api/base-models");
  assert.equal(r.status, 200);
  const bert = r.body.find((b) => b.name === "tiny-bert");
  assert.ok(bert, JSON.stringify(r.body));
  assert.deepEqual([bert.kind, bert.hiddenSize, bert.layers, bert.vocabSize], ["encoder", 16, 1, VOCAB.length]);
});

test("admins add, edit and remove configured models; bad input names the field and changes nothing", async () => {
  const before = await t.db.model.count();
  const bad: [Record<string, unknown>, string][] = [
    [{ name: "x", base: "no-such-folder" }, "base"],
    [{ name: "x", base: "../etc" }, "base"],
    [{ name: "bad name!", base: "tiny-bert" }, "name"],
    [{ name: "x", base: "tiny-bert", pooling: "max" }, "pooling"],
    [{ name: "x", base: "tiny-bert", maxLength: 2 }, "maxLength"],
    [{ name: "x", base: "tiny-bert", head: { type: "tree" } }, "head.type"],
  ];
  for (const [body, field] of bad) {
    const r = await admin.json<any>("/api/models", { method: "POST", body });
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.ok(r.body.issues.some((i: { path: string }) => i.path === field), `${JSON.stringify(body)} → ${JSON.stringify(r.body.issues)}`);
  }
  assert.equal(await t.db.model.count(), before);

  const created = await admin.json<any>("/api/models", { method: "POST", body: { name: "reviews-bert", base: "tiny-bert", pooling: "cls", maxLength: 32, head: { type: "mlp", hiddenSize: 8 }, pipeline: { top_k: 1 } } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.kind, "encoder");
  assert.equal(created.body.settings.pooling, "cls");
  assert.equal((await admin.json("/api/models", { method: "POST", body: { name: "reviews-bert", base: "tiny-bert" } })).status, 409);

  const edited = await admin.json<any>("/api/models/reviews-bert", { method: "PATCH", body: { maxLength: 48, isDefault: true } });
  assert.equal(edited.status, 200);
  assert.equal(edited.body.settings.maxLength, 48);
  assert.equal(edited.body.settings.pooling, "cls", "unchanged fields stay");
  const models = (await admin.json<any>("/api/models")).body.models;
  assert.deepEqual(models.filter((m: any) => m.isDefault).map((m: any) => m.name), ["reviews-bert"], "one default at a time");

  assert.equal((await admin.json("/api/models/reviews-bert", { method: "DELETE" })).status, 409, "the default model cannot be removed");
  assert.equal((await admin.json("/api/models/default", { method: "PATCH", body: { isDefault: true } })).status, 200);
  assert.equal((await admin.json("/api/models/reviews-bert", { method: "DELETE" })).status, 200);
  assert.equal((await admin.json("/api/models/reviews-bert")).status, 404);
});

test("viewers cannot change models", async () => {
  assert.equal((await viewer.json("/api/models", { method: "POST", body: { name: "v", base: "tiny-bert" } })).status, 403);
  assert.equal((await viewer.json("/api/models/default", { method: "PATCH", body: { maxLength: 64 } })).status, 403);
  assert.equal((await viewer.json("/api/models/default", { method: "DELETE" })).status, 403);
  assert.equal((await viewer.json("/api/models")).status, 200);
});
