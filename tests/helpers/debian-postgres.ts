import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort } from "../../lib/db/embedded";

// A PostgreSQL server from Debian's `postgresql` package (.ci/run installs it), started for one
// test file in a fresh folder on a free port, with a password, as an operator's external database
// would be: the product reaches it only through DATABASE_URL. Returns null where the package is
// not installed.

export interface DebianPostgres {
  version: string;
  /** postgresql://… for a database on it (created by createDatabase) */
  urlFor(db: string): string;
  createDatabase(db: string): Promise<void>;
  stop(): void;
}

const BIN_ROOT = "/usr/lib/postgresql";

export function debianPostgresBin(): string | null {
  if (!existsSync(BIN_ROOT)) return null;
  const versions = readdirSync(BIN_ROOT).filter((v) => existsSync(path.join(BIN_ROOT, v, "bin", "pg_ctl"))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(BIN_ROOT, versions[0], "bin") : null;
}

export async function startDebianPostgres(): Promise<DebianPostgres | null> {
  const bin = debianPostgresBin();
  if (!bin) return null;
  const dir = mkdtempSync(path.join(os.tmpdir(), "ftd-debian-pg-"));
  chmodSync(dir, 0o777);
  const data = path.join(dir, "data");
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const pwfile = path.join(dir, "pw");
  writeFileSync(pwfile, password, { mode: 0o644 });
  const port = await freePort();
  // PostgreSQL refuses to run as root: as root, its programs run as Debian's "postgres" user.
  const asOwner = (cmd: string, args: string[]) =>
    process.getuid?.() === 0 ? (["runuser", ["-u", "postgres", "--", cmd, ...args]] as const) : ([cmd, args] as const);
  const run = (cmd: string, args: string[]) => {
    const [c, a] = asOwner(cmd, args);
    const r = spawnSync(c, [...a], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr || r.stdout}`);
  };
  run(path.join(bin, "initdb"), ["-D", data, "-U", "ftd", "--pwfile", pwfile, "-A", "scram-sha-256", "-E", "UTF8", "--locale", "C"]);
  run(path.join(bin, "pg_ctl"), ["-D", data, "-l", path.join(dir, "log"), "-w", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`, "start"]);
  const version = execFileSync(path.join(bin, "postgres"), ["--version"], { encoding: "utf8" }).trim();
  const urlFor = (db: string) => `postgresql://ftd:${password}@127.0.0.1:${port}/${db}`;
  return {
    version,
    urlFor,
    async createDatabase(db: string) {
      const c = new pg.Client({ connectionString: urlFor("postgres") });
      await c.connect();
      await c.query(`CREATE DATABASE ${db}`);
      await c.end();
    },
    stop() {
      try {
        run(path.join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
