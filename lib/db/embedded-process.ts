import { spawn } from "node:child_process";
import path from "node:path";
import { serverUrls, type EmbeddedDb } from "./embedded";

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
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
