import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { serverUrls, type EmbeddedDb } from "./server-urls";
import { terminate } from "../process/terminate";

/** How long PostgreSQL gets for its fast shutdown before it is told to quit immediately. */
const STOP_GRACE_MS = 20_000;

/** Starts scripts/embedded-postgres.ts as a detached child and returns once PostgreSQL accepts connections. */
export async function spawnEmbeddedPostgres(opts: { dataDir: string; port: number; persistent?: boolean }): Promise<EmbeddedDb> {
  const script = path.resolve(process.cwd(), "scripts", "embedded-postgres.ts");
  const args = ["--import", "tsx", script, opts.dataDir, String(opts.port), ...(opts.persistent === false ? ["--ephemeral"] : [])];
  const child = spawn(process.execPath, args, { detached: true, stdio: ["pipe", "pipe", "inherit"] });
  const base = await new Promise<string>((resolve, reject) => {
    let buf = "";
    child.stdout!.on("data", (d) => {
      buf += d;
      const ready = buf.match(/^READY (\S+)$/m);
      const failed = buf.match(/^FAILED (.*)$/m);
      if (ready) resolve(ready[1]);
      if (failed) reject(new Error(failed[1]));
    });
    child.on("exit", (code) => reject(new Error(`the embedded PostgreSQL exited early (code ${code})`)));
  });
  return {
    ...serverUrls(base),
    // A fast shutdown (the wrapper sends PostgreSQL SIGINT); if that hangs, PostgreSQL's
    // immediate shutdown (SIGQUIT to the postmaster) and SIGKILL for the wrapper.
    stop: () => terminate(child, { graceMs: STOP_GRACE_MS, onEscalate: () => quitPostmaster(opts.dataDir) }),
  };
}

/** SIGQUIT (immediate shutdown) to the postmaster whose pid the cluster's postmaster.pid holds. */
function quitPostmaster(dataDir: string): void {
  try {
    const pid = Number(readFileSync(path.resolve(dataDir, "pg", "postmaster.pid"), "utf8").split("\n")[0]);
    if (pid > 0) process.kill(pid, "SIGQUIT");
  } catch {
    /* already gone */
  }
}
