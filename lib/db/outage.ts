import type { PrismaClient } from "./generated/client";

// Telling a lost database connection from other errors, and waiting one out. The pool behind the
// Prisma client opens new connections on demand, so once the server answers again, queries work.

/** Whether the database answers a trivial query now. */
export async function databaseAnswers(db: PrismaClient): Promise<boolean> {
  try {
    await db.$queryRaw`SELECT 1`;
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `fn`; while it fails and the database does not answer, waits `delayMs` and runs it again.
 * An error while the database answers is rethrown, as is the last one once `giveUp()` says so.
 */
export async function retryThroughOutage<T>(
  db: PrismaClient,
  fn: () => Promise<T>,
  opts: { delayMs: number; giveUp: () => boolean; onOutage?: (err: Error) => void },
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (opts.giveUp() || (await databaseAnswers(db))) throw err;
      if (attempt === 0) opts.onOutage?.(err as Error);
      await new Promise((r) => setTimeout(r, opts.delayMs));
    }
  }
}
