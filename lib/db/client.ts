import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";
import { databaseUrl } from "../env";

export type Db = PrismaClient;

const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };

/** The process-wide Prisma client (one pool per process, reused across Next.js hot reloads). */
export function db(): PrismaClient {
  if (!globalForPrisma.prisma) globalForPrisma.prisma = createDb(databaseUrl());
  return globalForPrisma.prisma;
}

/** Whether `d` is the process-wide client (whose reads lib/db/invalidated-cache.ts may cache). */
export const isProcessDb = (d: unknown): boolean => d !== undefined && globalForPrisma.prisma === d;

/** The connection pool under each client of createDb (a connection for lib/runs/fetch-rows.ts's COPY). */
const pools = new WeakMap<PrismaClient, pg.Pool>();

export function createDb(url: string, max = 10): PrismaClient {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on("error", () => {}); // an idle connection lost: the pool drops it, and the next query reports what is wrong
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(client, pool);
  return client;
}

/**
 * A connection of the pool under `client` (made by createDb), for work that Prisma cannot do (a
 * COPY stream); release it as pg says (`release(err)` drops it).
 */
export async function pgConnection(client: PrismaClient): Promise<pg.PoolClient> {
  const pool = pools.get(client);
  if (pool === undefined) throw new Error("this database client was not made by createDb: its connection pool is unknown");
  return pool.connect();
}

export * from "./generated/client";
