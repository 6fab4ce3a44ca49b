import type { PrismaClient } from "../db/generated/client";
import { env } from "../env";

// Sign-in throttling, kept in PostgreSQL so that every web process sees the same counts. Each key
// ("account:<e-mail>", "address:<client address>") counts failed sign-ins in a window; at its limit
// it is locked for a cool-down, during which every attempt for it (even with the right password)
// is refused before any password is checked. A successful sign-in clears its account's count (not
// its address's, so one known password does not reset a spray across accounts).

export interface ThrottleKey {
  key: string;
  limit: number;
}

const accountKey = (email: string) => `account:${email.trim().toLowerCase()}`;

export function throttleKeys(email: string, address: string): ThrottleKey[] {
  const e = env();
  return [
    { key: accountKey(email), limit: e.LOGIN_MAX_FAILURES_PER_ACCOUNT },
    { key: `address:${address}`, limit: e.LOGIN_MAX_FAILURES_PER_ADDRESS },
  ];
}

type Db = Pick<PrismaClient, "$queryRaw" | "$executeRaw">;

/** Seconds until every key is free again (0: none is locked). */
export async function lockedForSeconds(db: Db, keys: ThrottleKey[]): Promise<number> {
  const names = keys.map((k) => k.key);
  const [row] = await db.$queryRaw<{ seconds: number | null }[]>`
    SELECT ceil(extract(epoch FROM max("lockedUntil") - now()))::int AS seconds
    FROM "LoginThrottle" WHERE key = ANY(${names}) AND "lockedUntil" > now()`;
  return row?.seconds ?? 0;
}

/** Counts one failure against each key (one statement per key, atomic under concurrency). */
export async function recordFailure(db: Db, keys: ThrottleKey[]): Promise<void> {
  const { LOGIN_WINDOW_SECONDS: windowS, LOGIN_LOCK_SECONDS: lockS } = env();
  for (const { key, limit } of keys) {
    await db.$executeRaw`
      INSERT INTO "LoginThrottle" AS t (key, failures, "windowStart", "lockedUntil")
      VALUES (${key}, 1, now(), CASE WHEN ${limit} <= 1 THEN now() + make_interval(secs => ${lockS}) END)
      ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN t."windowStart" < now() - make_interval(secs => ${windowS}) THEN 1 ELSE t.failures + 1 END,
        "windowStart" = CASE WHEN t."windowStart" < now() - make_interval(secs => ${windowS}) THEN now() ELSE t."windowStart" END,
        "lockedUntil" = CASE
          WHEN (CASE WHEN t."windowStart" < now() - make_interval(secs => ${windowS}) THEN 1 ELSE t.failures + 1 END) >= ${limit}
          THEN now() + make_interval(secs => ${lockS}) ELSE t."lockedUntil" END`;
  }
  // Forget windows that ended and locks that expired.
  await db.$executeRaw`
    DELETE FROM "LoginThrottle"
    WHERE "windowStart" < now() - make_interval(secs => ${windowS}) AND ("lockedUntil" IS NULL OR "lockedUntil" < now())`;
}

export async function recordSuccess(db: Db, keys: ThrottleKey[]): Promise<void> {
  const accountKeys = keys.filter((k) => k.key.startsWith("account:")).map((k) => k.key);
  await db.$executeRaw`DELETE FROM "LoginThrottle" WHERE key = ANY(${accountKeys})`;
}

/** Lifts an account's count and cool-down (its password was just reset by someone who can reach the database). */
export async function clearAccount(db: Db, email: string): Promise<void> {
  await db.$executeRaw`DELETE FROM "LoginThrottle" WHERE key = ${accountKey(email)}`;
}
