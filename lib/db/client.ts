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

export function createDb(url: string, max = 10): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max }) });
}

export * from "./generated/client";
