import assert from "node:assert/strict";
import { test } from "node:test";
import { createWaker } from "../../lib/runs/web/live";

// The sleep of a run's event stream between passes: woken by NOTIFY, and a NOTIFY that came while
// the stream was busy (not sleeping) is not lost.

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
