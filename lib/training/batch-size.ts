// The original system's batch-size rule, used when a request names no batch size.

/**
 * The largest divisor of `rowCount` that is at most 32 and at most √rowCount (at least 1).
 * 4728 → 24, 100 → 10, 2000 → 25, a prime → 1.
 */
export function defaultBatchSize(rowCount: number): number {
  const n = Math.floor(rowCount);
  if (!(n >= 1)) return 1;
  const limit = Math.min(32, Math.floor(Math.sqrt(n)));
  for (let b = limit; b >= 1; b--) if (n % b === 0) return b;
  return 1;
}
