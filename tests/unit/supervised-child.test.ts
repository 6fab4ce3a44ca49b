// superviseChild with real child processes: restarts with growing delays, and a stop that a child
// ignores ends with SIGKILL.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { superviseChild } from "../../lib/process/supervised-child";
import { waitFor } from "../helpers/processes";

const node = (code: string) => spawn(process.execPath, ["-e", code], { stdio: "ignore" });

test("a child that keeps crashing is restarted after 100, 200, 400 ms, then 400 ms each time (the cap)", { timeout: 60_000 }, async () => {
  const lines: string[] = [];
  const sup = superviseChild({ name: "crasher", start: () => node("process.exit(3)"), log: (l) => lines.push(l), backoff: { initialMs: 100, maxMs: 400, resetAfterMs: 60_000 } });
  await waitFor("four restarts", async () => sup.exits() >= 5, 30_000, 20);
  await sup.stop(1000);
  const delays = lines.filter((l) => l.includes("exited")).map((l) => l.match(/exited \(code 3\); restarting it in ([\d.]+) s$/)?.[1]);
  assert.deepEqual(delays.slice(0, 5), ["0.1", "0.2", "0.4", "0.4", "0.4"]);
  assert.equal(lines.filter((l) => /^Restarted the crasher \(pid \d+\)$/.test(l)).length >= 4, true, lines.join("\n"));
  const count = sup.exits();
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(sup.exits(), count, "restarted after stop()");
});

test("stop(): SIGTERM, then SIGKILL for a child that ignores it", { timeout: 60_000 }, async () => {
  const lines: string[] = [];
  const sup = superviseChild({
    name: "stubborn",
    start: () => spawn(process.execPath, ["-e", 'process.on("SIGTERM", () => console.log("ignored")); console.log("up"); setInterval(() => {}, 1000)'], { stdio: ["ignore", "pipe", "ignore"] }),
    log: (l) => lines.push(l),
  });
  const child = sup.current()!;
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  await waitFor("the child to be up", async () => out.includes("up"), 30_000, 20);
  const t0 = Date.now();
  await sup.stop(1500);
  assert.ok(Date.now() - t0 >= 1400, "killed before the grace period");
  assert.equal(child.signalCode, "SIGKILL");
  assert.match(out, /ignored/);
  assert.deepEqual(lines, ["The stubborn did not stop within 1.5 s; killing it"]);
  assert.equal(sup.current(), null);
});
