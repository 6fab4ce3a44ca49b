import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../lib/db/embedded";

// `npm start` (and other npm scripts) exactly as a user types them, in a process group of their
// own, with DATA_DIR in a fresh folder and free ports. No ADMIN_* variable reaches them unless a
// test passes one.

const root = process.cwd();

export interface NpmProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in the output (searched from `from`); rejects when the output ends without one. */
  waitForLine(pattern: RegExp, timeoutMs?: number, from?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or signal) once the npm process has exited. */
  exited: Promise<number | NodeJS.Signals>;
}

export interface Place {
  dataDir: string;
  port: number;
  pgPort: number;
  /** the environment every npm command of a test shares: DATA_DIR, PORT, PG_PORT; no ADMIN_* or DATABASE_URL */
  env: NodeJS.ProcessEnv;
  remove(): void;
}

/** A fresh DATA_DIR (under the system's temp folder, which PostgreSQL's own user can reach) and free ports. */
export async function newPlace(): Promise<Place> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "ftd-npm-start-"));
  const port = await freePort();
  let pgPort = await freePort();
  while (pgPort === port) pgPort = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), PG_PORT: String(pgPort), NEXT_TELEMETRY_DISABLED: "1" };
  for (const name of ["ADMIN_EMAIL", "ADMIN_PASSWORD", "DATABASE_URL", "NEXTAUTH_SECRET", "HOST", "NEW_PASSWORD"]) delete env[name];
  return { dataDir, port, pgPort, env, remove: () => rmSync(dataDir, { recursive: true, force: true }) };
}

/** `npm <args>` in the repository, in its own process group (so a test can signal it like a terminal does). */
export function npm(args: string[], env: NodeJS.ProcessEnv, input?: string): NpmProcess {
  const child = spawn("npm", args, { cwd: root, env, detached: true, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
  if (input !== undefined) child.stdin!.end(input);
  let out = "";
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d;
    for (const w of waiters) w();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number | NodeJS.Signals>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal!)));
  // The output ends when every process holding the pipes has gone, which may be after npm itself.
  let closed = false;
  child.once("close", () => {
    closed = true;
    for (const w of waiters) w();
  });
  return {
    child,
    output: () => out,
    exited,
    waitForLine(pattern, timeoutMs = 120_000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.slice(from).match(pattern);
          if (m) return done(() => resolve(m));
          if (closed) done(() => reject(new Error(`npm ${args.join(" ")} ended its output without printing ${pattern}:\n${out}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for ${pattern} from npm ${args.join(" ")}:\n${out}`))), timeoutMs);
        const done = (f: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          f();
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** `npm start` on `place`; resolves once it printed "Ready" (a first start may build the web app: minutes). */
export async function npmStart(place: Place, extraEnv: Record<string, string> = {}): Promise<NpmProcess & { url: string }> {
  const p = npm(["start"], { ...place.env, ...extraEnv });
  await p.waitForLine(/\[start\] Ready in .*$/m, 600_000);
  return { ...p, url: `http://127.0.0.1:${place.port}` };
}

/** Every live descendant of `pid` (children, their children…), from /proc. */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProc(Number(entry));
    if (!stat) continue;
    const list = parents.get(stat.ppid) ?? [];
    list.push(Number(entry));
    parents.set(stat.ppid, list);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of parents.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

function readProc(pid: number): { ppid: number; state: string; command: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = stat.lastIndexOf(")");
    const [state, ppid] = stat.slice(close + 2).split(" ");
    return { ppid: Number(ppid), state, command: stat.slice(stat.indexOf("(") + 1, close) };
  } catch {
    return null;
  }
}

/** Whether `pid` is a running process (a zombie waiting to be reaped counts as gone). */
export function isAlive(pid: number): boolean {
  const p = readProc(pid);
  return p !== null && p.state !== "Z" && p.state !== "X";
}

/** The command name of `pid` (for messages). */
export const commandOf = (pid: number) => readProc(pid)?.command ?? "?";

/** Whether something accepts TCP connections at host:port. */
export function isListening(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.setTimeout(3000);
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
  });
}
