// `npm start` contains faults: a worker or web server that dies is restarted (with a log line) while
// the rest keeps serving; SIGTERM or Ctrl-C (twice, even) stops web, worker and PostgreSQL and
// leaves no process and no listening port behind. `npm run worker` finds the embedded PostgreSQL
// from DATA_DIR and PG_PORT alone. Everything runs as real processes started through npm.
import assert from "node:assert/strict";
import os from "node:os";
import { after, before, test } from "node:test";
import { createApiToken } from "../../lib/auth/tokens";
import { createDb, type Db } from "../../lib/db/client";
import { embeddedDatabaseUrl } from "../../lib/db/embedded-connection";
import { freePort } from "../../lib/db/embedded";
import { commandOf, descendants, isAlive, isListening, newPlace, npm, npmStart, type NpmProcess, type Place } from "../helpers/npm-start";
import { waitFor } from "../helpers/processes";
import { cudaProviderInstalled } from "../helpers/cuda";

let place: Place;
let app: NpmProcess & { url: string };
let db: Db;
let token: string;

before(async () => {
  place = await newPlace();
  app = await npmStart(place);
  db = createDb(await embeddedDatabaseUrl({ dataDir: place.dataDir, port: place.pgPort }), 2);
  const admin = await db.user.findUniqueOrThrow({ where: { email: "admin@localhost" } });
  token = (await createApiToken(db, admin.id, "supervisor-test")).token;
});

after(async () => {
  await db?.$disconnect();
  if (app && app.child.exitCode === null && app.child.signalCode === null) {
    process.kill(-app.child.pid!, "SIGKILL");
    await app.exited;
  }
  place?.remove();
});

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${app.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...init.headers } });

async function aliveWorkers(): Promise<{ id: string; pid: number; device: string }[]> {
  const res = await api("/api/workers");
  if (!res.ok) return [];
  const body = (await res.json()) as { workers: { id: string; pid: number; alive: boolean; device: string }[] };
  return body.workers.filter((w) => w.alive);
}

/** Requests /login every 250 ms until stopped; returns every failure (status ≥ 500 or no answer). */
function pollWeb(url: string): { stop(): Promise<{ requests: number; failures: string[] }> } {
  let running = true;
  const failures: string[] = [];
  let requests = 0;
  const loop = (async () => {
    while (running) {
      requests++;
      try {
        const res = await fetch(`${url}/login`, { redirect: "manual", signal: AbortSignal.timeout(20_000) });
        if (res.status >= 500) failures.push(`HTTP ${res.status}`);
        await res.arrayBuffer();
      } catch (err) {
        failures.push(String((err as Error).cause ?? err));
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { requests, failures };
    },
  };
}

function startedPids(p: NpmProcess, from = 0): { web: number; worker: number } {
  const m = p.output().slice(from).match(/\[start\] Started the web server \(pid (\d+)\) and a worker \(pid (\d+)\)/);
  assert.ok(m, p.output());
  return { web: Number(m[1]), worker: Number(m[2]) };
}

/** Every process of `p` (npm, start.ts, web, worker, PostgreSQL and their children), with the postmaster among them. */
function processesOf(p: NpmProcess): number[] {
  const pids = [p.child.pid!, ...descendants(p.child.pid!)];
  assert.ok(pids.some((pid) => commandOf(pid) === "postgres"), `no postgres among ${pids.map((x) => `${x} ${commandOf(x)}`).join(", ")}`);
  assert.ok(pids.some((pid) => commandOf(pid).startsWith("next-server")), "no web server");
  return pids;
}

async function assertNothingLeft(pids: number[]): Promise<void> {
  // npm has exited; give exiting children (esbuild helpers notice their closed stdin) a moment.
  const left = await waitFor("processes to be gone", async () => (pids.every((pid) => !isAlive(pid)) ? "none" : null), 10_000, 200).catch(() =>
    pids.filter(isAlive).map((pid) => `${pid} ${commandOf(pid)}`).join(", "),
  );
  assert.equal(left, "none", `still running after npm start exited: ${left}`);
  assert.equal(await isListening(place.port), false, "the web port is still open");
  assert.equal(await isListening(place.pgPort), false, "the PostgreSQL port is still open");
}

/** Queues a run and opens its event stream; resolves once the stream has sent its first bytes (a request in flight). */
async function openEventStream(): Promise<{ finished: Promise<string> }> {
  const res = await api("/api/runs", { method: "POST", body: JSON.stringify({ columns: "label,text", table: "demo_email", limit: 3000, p_of_train: 0.8 }) });
  assert.equal(res.status, 202, await res.clone().text());
  const { id } = (await res.json()) as { id: string };
  const events = await api(`/api/runs/${id}/events`, { headers: { accept: "text/event-stream" } });
  assert.equal(events.status, 200);
  const reader = events.body!.getReader();
  await reader.read();
  const finished = (async () => {
    try {
      while (!(await reader.read()).done);
      return "ended";
    } catch (err) {
      return `errored: ${(err as Error).message}`;
    }
  })();
  return { finished };
}

test("the web server listens on loopback only (HOST unset)", async (t) => {
  assert.equal(await isListening(place.port, "127.0.0.1"), true);
  const external = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === "IPv4" && !i.internal);
  if (!external) return t.skip("this machine has no non-loopback IPv4 address to try");
  assert.equal(await isListening(place.port, external.address), false, `the web server answers on ${external.address}`);
});

test("kill -9 the worker: a restart line, a new worker heartbeats, the web answers throughout", { timeout: 300_000 }, async () => {
  const { worker: oldPid } = startedPids(app);
  await waitFor("the first worker's heartbeat", async () => (await aliveWorkers()).some((w) => w.pid === oldPid), 120_000);
  const web = pollWeb(app.url);
  const from = app.output().length;
  process.kill(oldPid, "SIGKILL");
  await app.waitForLine(new RegExp(`\\[start\\] The worker \\(pid ${oldPid}\\) exited \\(SIGKILL\\); restarting it in 1 s`), 60_000, from);
  const newPid = Number((await app.waitForLine(/\[start\] Restarted the worker \(pid (\d+)\)/, 60_000, from))[1]);
  assert.notEqual(newPid, oldPid);
  await waitFor("the new worker's heartbeat", async () => (await aliveWorkers()).some((w) => w.pid === newPid), 120_000);
  const polled = await web.stop();
  assert.deepEqual(polled.failures, [], `the web server failed ${polled.failures.length} of ${polled.requests} requests`);
  assert.ok(polled.requests >= 2);
});

test("kill -9 the web server: it is restarted and serves again", { timeout: 300_000 }, async () => {
  const { web: oldPid } = startedPids(app);
  const from = app.output().length;
  process.kill(oldPid, "SIGKILL");
  await app.waitForLine(new RegExp(`\\[start\\] The web server \\(pid ${oldPid}\\) exited \\(SIGKILL\\); restarting it in 1 s`), 60_000, from);
  await app.waitForLine(/\[start\] Restarted the web server \(pid \d+\)/, 60_000, from);
  await waitFor("the restarted web server", async () => (await fetch(`${app.url}/login`).catch(() => null))?.status === 200, 120_000);
  assert.equal((await api("/api/me")).status, 200);
});

test("npm run worker with only DATA_DIR and PG_PORT joins the running embedded database; WORKER_DEVICE=cuda without CUDA: one line, the CPU", { timeout: 300_000 }, async () => {
  const env = { ...place.env };
  delete env.PORT;
  const extra = npm(["run", "worker"], { ...env, WORKER_DEVICE: "cuda" });
  try {
    const id = (await extra.waitForLine(/^worker (\S+) ready \((cpu|cuda)\)$/m, 120_000))[1];
    await waitFor("the extra worker's heartbeat", async () => (await aliveWorkers()).some((w) => w.id === id), 120_000);
    const listed = (await aliveWorkers()).find((w) => w.id === id)!;
    // This machine has no CUDA provider files (npm ci skips them): the worker says so once and encodes on the CPU.
    const cudaInstalled = cudaProviderInstalled;
    assert.equal(listed.device, cudaInstalled ? "cuda" : "cpu");
    if (!cudaInstalled) {
      const notes = extra.output().split("\n").filter((l) => l.includes("WORKER_DEVICE=cuda, but onnxruntime-node's CUDA provider does not start here"));
      assert.equal(notes.length, 1, extra.output());
      assert.match(notes[0], /ONNXRUNTIME_NODE_INSTALL=cuda12/);
    }
    // the workers npm start runs (no WORKER_DEVICE) encode on the CPU
    assert.ok((await aliveWorkers()).filter((w) => w.id !== id).every((w) => w.device === "cpu"));
  } finally {
    process.kill(-extra.child.pid!, "SIGTERM");
    await extra.exited;
  }

  // With no embedded database running at PG_PORT: a clear error, exit code 1.
  const nowhere = npm(["run", "worker"], { ...env, PG_PORT: String(await freePort()) });
  assert.equal(await nowhere.exited, 1);
  assert.match(nowhere.output(), /worker: The embedded PostgreSQL \(DATA_DIR .*, PG_PORT \d+\) is not running: start it with npm start first, or set DATABASE_URL\./);
});

test("SIGTERM on npm start while a request is in flight: Stopped., no process and no port left", { timeout: 300_000 }, async () => {
  const stream = await openEventStream();
  const pids = processesOf(app);
  process.kill(app.child.pid!, "SIGTERM");
  await app.exited;
  assert.match(app.output(), /\[start\] Stopping…\n(.*\n)*\[start\] Stopped\.\n?$/);
  assert.match(await stream.finished, /ended|errored/);
  await assertNothingLeft(pids);
});

test("Ctrl-C twice (SIGINT to the process group, again while stopping): Stopped., no process and no port left", { timeout: 900_000 }, async () => {
  app = await npmStart(place);
  await openEventStream();
  const pids = processesOf(app);
  const from = app.output().length;
  process.kill(-app.child.pid!, "SIGINT");
  await app.waitForLine(/\[start\] Stopping…/, 30_000, from);
  process.kill(-app.child.pid!, "SIGINT");
  await app.exited;
  assert.match(app.output().slice(from), /\[start\] Stopped\./);
  await assertNothingLeft(pids);
});

test("npm itself killed with SIGKILL: npm start notices its parent is gone and stops everything", { timeout: 900_000 }, async () => {
  app = await npmStart(place);
  const pids = processesOf(app);
  process.kill(app.child.pid!, "SIGKILL");
  await app.exited;
  // npm is gone at once; start.ts, whose output still reaches our pipe, stops on its own.
  await app.waitForLine(/\[start\] The parent process \(pid \d+\) is gone\.\n(.*\n)*\[start\] Stopped\./, 60_000);
  await assertNothingLeft(pids);
});
