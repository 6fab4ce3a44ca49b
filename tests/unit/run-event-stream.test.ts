import assert from "node:assert/strict";
import { test } from "node:test";
import { createWaker, sharedRead } from "../../lib/runs/web/event-stream";

// What a run's event stream uses: the sleep between passes (woken by NOTIFY; a NOTIFY that came
// while the stream was busy, not sleeping, is not lost) and the reads its streams share.

const elapsed = async (p: Promise<void>) => {
  const t = performance.now();
  await p;
  return performance.now() - t;
};

test("a sleep with no wake lasts its time", async () => {
  assert.ok((await elapsed(createWaker().sleep(60))) >= 50);
});

test("a wake ends the current sleep early", async () => {
  const w = createWaker();
  setTimeout(() => w.wake(), 10);
  assert.ok((await elapsed(w.sleep(5000))) < 1000);
});

test("a wake while nobody sleeps makes the next sleep return at once, once", async () => {
  const w = createWaker();
  w.wake();
  w.wake();
  assert.ok((await elapsed(w.sleep(5000))) < 1000, "the remembered wake ends the next sleep at once");
  assert.ok((await elapsed(w.sleep(60))) >= 50, "it is used up: the sleep after lasts its time");
});

test("a wake that ended a sleep is not remembered for the next one", async () => {
  const w = createWaker();
  setTimeout(() => w.wake(), 10);
  await w.sleep(5000);
  assert.ok((await elapsed(w.sleep(60))) >= 50);
});

test("sharedRead: calls under one key while a read is in flight share it; a later call reads again", async () => {
  let reads = 0;
  let release!: (v: number) => void;
  const read = () => {
    reads++;
    return new Promise<number>((resolve) => (release = resolve));
  };
  const a = sharedRead("logs r1 3 10", read);
  const b = sharedRead("logs r1 3 10", read);
  const other = sharedRead("logs r1 4 10", () => Promise.resolve(-1));
  assert.equal(reads, 1, "the second caller joins the first read");
  release(7);
  assert.deepEqual(await Promise.all([a, b, other]), [7, 7, -1]);
  const c = sharedRead("logs r1 3 10", read);
  assert.equal(reads, 2, "a settled read is not reused");
  release(8);
  assert.equal(await c, 8);
});

test("sharedRead: a failed read fails every caller that shared it, and the next call reads again", async () => {
  let reads = 0;
  const failing = () => {
    reads++;
    return Promise.reject(new Error("database down"));
  };
  const results = await Promise.allSettled([sharedRead("view r2 1", failing), sharedRead("view r2 1", failing)]);
  assert.deepEqual(results.map((r) => r.status), ["rejected", "rejected"]);
  assert.equal(reads, 1);
  assert.equal(await sharedRead("view r2 1", () => Promise.resolve("ok")), "ok");
});
