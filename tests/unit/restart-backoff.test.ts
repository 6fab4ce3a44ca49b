import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_BACKOFF, nextRestartDelay } from "../../lib/process/supervised-child";

test("restart back-off: 1 s doubling to 30 s, back to 1 s after a minute up", () => {
  const delays: number[] = [];
  let d: number | null = null;
  for (let i = 0; i < 8; i++) delays.push((d = nextRestartDelay(d, 500)));
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  assert.equal(nextRestartDelay(30000, DEFAULT_BACKOFF.resetAfterMs), 1000);
  assert.equal(nextRestartDelay(4000, DEFAULT_BACKOFF.resetAfterMs - 1), 8000);
});
