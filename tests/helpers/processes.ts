import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { freePort } from "../../lib/db/embedded";
import { workerProcessArgs } from "../../lib/process/worker-command";

// Real worker and web processes for integration and browser tests.

const root = process.cwd();

export interface Proc {
  child: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

function track(child: ChildProcess): Proc {
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  return {
    child,
    output: () => out,
    stop: (signal = "SIGTERM") =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill(signal);
      }),
  };
}

export function startWorkerProcess(env: Record<string, string>): Proc {
  return track(
    spawn(process.execPath, workerProcessArgs(root), {
      cwd: root,
      env: { ...process.env, WORKER_POLL_MS: "200", WORKER_HEARTBEAT_MS: "500", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
}

/** `next start` on a free port (the suite builds the app first). */
export async function startWebProcess(env: Record<string, string>): Promise<Proc & { url: string }> {
  const port = await freePort();
  const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
  const p = track(
    spawn(process.execPath, [nextBin, "start", "-p", String(port)], {
      cwd: root,
      env: { ...process.env, NODE_ENV: "production", AUTH_TRUST_HOST: "true", NEXT_TELEMETRY_DISABLED: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (p.child.exitCode !== null) throw new Error(`web exited: ${p.output()}`);
    try {
      const r = await fetch(`${url}/login`, { redirect: "manual" });
      if (r.status < 500) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`web did not start: ${p.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { ...p, url };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 120_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Whether the process is stopped (SIGSTOP: state "T" in /proc). */
export const isStopped = (p: Proc) => readFileSync(`/proc/${p.child.pid}/stat`, "utf8").split(") ")[1]?.[0] === "T";

/** Resolves once the process has exited. */
export const exited = (p: Proc) => waitFor("the worker to exit", async () => p.child.exitCode !== null || p.child.signalCode !== null, 120_000, 50);
