import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { spawnEmbeddedPostgres } from "./embedded-process";

// How processes other than `npm start` (`npm run worker`, `npm run admin`) reach the embedded
// PostgreSQL that `npm start` runs: its cluster and password live in DATA_DIR, it listens on
// 127.0.0.1:PG_PORT, and the product's database in it is called "finetune".

export const PRODUCT_DATABASE = "finetune";

export interface EmbeddedLocation {
  dataDir: string;
  port: number;
}

/** The product database's URL on the embedded server, from the password kept in DATA_DIR. */
export async function embeddedDatabaseUrl({ dataDir, port }: EmbeddedLocation): Promise<string> {
  const passwordFile = path.join(dataDir, "pg-password");
  if (!existsSync(path.join(dataDir, "pg", "PG_VERSION")) || !existsSync(passwordFile)) {
    throw new Error(
      `No embedded PostgreSQL in ${dataDir} (DATA_DIR): start the product with npm start first (it creates one there), or set DATABASE_URL.`,
    );
  }
  const password = (await readFile(passwordFile, "utf8")).trim();
  return `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${PRODUCT_DATABASE}`;
}

/** Whether a PostgreSQL server accepts connections at `url` (false only when nothing listens). */
export async function isAcceptingConnections(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ECONNREFUSED" || code === "57P03" /* the database system is starting up / shutting down */) return false;
    throw err;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The running embedded database's URL; a clear error when it is not running. */
export async function runningEmbeddedDatabaseUrl(where: EmbeddedLocation): Promise<string> {
  const url = await embeddedDatabaseUrl(where);
  if (!(await isAcceptingConnections(url))) {
    throw new Error(
      `The embedded PostgreSQL (DATA_DIR ${where.dataDir}, PG_PORT ${where.port}) is not running: start it with npm start first, or set DATABASE_URL.`,
    );
  }
  return url;
}

/**
 * The embedded database's URL, starting the server for the caller when it is not running (and
 * `release` stops it again); a server that npm start runs is used as it is and left running.
 */
export async function useEmbeddedDatabase(where: EmbeddedLocation, log: (line: string) => void): Promise<{ url: string; release(): Promise<void> }> {
  const url = await embeddedDatabaseUrl(where);
  if (await isAcceptingConnections(url)) return { url, release: async () => {} };
  log(`Starting the embedded PostgreSQL in ${where.dataDir} for this command (port ${where.port})`);
  const server = await spawnEmbeddedPostgres({ dataDir: where.dataDir, port: where.port });
  return { url, release: () => server.stop() };
}
