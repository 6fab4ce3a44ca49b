import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidatedCache } from "../../lib/db/invalidated-cache";

// The per-process cache of what predictions read (lib/db/invalidated-cache.ts), on its own: a hit
// within the TTL reads nothing, a clear drops everything, a read that a clear overtook is not kept,
// nothing is kept while drops cannot be heard, failed or empty reads are not kept, and the oldest
// entry makes room.

function fixture(o: { ttlMs?: number; maxEntries?: number } = {}) {
  let now = 1000;
  let trusted = true;
  const cache = new InvalidatedCache<string | null>({ topic: "tokens", ttlMs: o.ttlMs ?? 100, maxEntries: o.maxEntries, now: () => now, trusted: () => trusted });
  let reads = 0;
  const load = (value: string | null) => async () => {
    reads++;
    return value;
  };
  return {
    cache,
    load,
    reads: () => reads,
    advance: (ms: number) => (now += ms),
    setTrusted: (t: boolean) => (trusted = t),
  };
}

test("a hit within the TTL reads nothing; after the TTL it reads again", async () => {
  const f = fixture({ ttlMs: 100 });
  assert.equal(await f.cache.get("a", f.load("one")), "one");
  assert.equal(await f.cache.get("a", f.load("two")), "one");
  f.advance(99);
  assert.equal(await f.cache.get("a", f.load("two")), "one");
  assert.equal(f.reads(), 1);
  f.advance(1);
  assert.equal(await f.cache.get("a", f.load("two")), "two");
  assert.equal(f.reads(), 2);
});

test("clear drops every entry", async () => {
  const f = fixture();
  await f.cache.get("a", f.load("one"));
  await f.cache.get("b", f.load("uno"));
  f.cache.clear();
  assert.equal(f.cache.size, 0);
  assert.equal(await f.cache.get("a", f.load("two")), "two");
  assert.equal(f.reads(), 3);
});

test("a read that began before a clear is answered but not kept (it may have read the old row)", async () => {
  const f = fixture();
  let release!: (v: string) => void;
  const pending = f.cache.get("a", () => new Promise<string>((r) => (release = r)));
  f.cache.clear(); // the change commits while the read is under way
  release("old");
  assert.equal(await pending, "old");
  assert.equal(f.cache.size, 0);
  assert.equal(await f.cache.get("a", f.load("new")), "new");
});

test("nothing is kept while changes cannot be heard (the LISTEN connection is down)", async () => {
  const f = fixture();
  f.setTrusted(false);
  await f.cache.get("a", f.load("one"));
  await f.cache.get("a", f.load("one"));
  assert.equal(f.reads(), 2);
  assert.equal(f.cache.size, 0);
  f.setTrusted(true);
  await f.cache.get("a", f.load("one"));
  await f.cache.get("a", f.load("one"));
  assert.equal(f.reads(), 3);
});

test("reads that keep() refuses (no such row) and failed reads are not kept", async () => {
  const f = fixture();
  const keep = (v: string | null) => v !== null;
  assert.equal(await f.cache.get("a", f.load(null), keep), null);
  assert.equal(await f.cache.get("a", f.load(null), keep), null);
  assert.equal(f.reads(), 2);
  await assert.rejects(f.cache.get("b", async () => Promise.reject(new Error("connection lost"))));
  assert.equal(f.cache.size, 0);
});

test("a full cache drops its oldest entry", async () => {
  const f = fixture({ maxEntries: 2 });
  await f.cache.get("a", f.load("1"));
  await f.cache.get("b", f.load("2"));
  await f.cache.get("c", f.load("3"));
  assert.equal(f.cache.size, 2);
  assert.equal(await f.cache.get("b", f.load("x")), "2");
  assert.equal(await f.cache.get("c", f.load("x")), "3");
  assert.equal(await f.cache.get("a", f.load("x")), "x");
});
