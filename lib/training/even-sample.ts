/**
 * At most `count` indices of 0 … n − 1, evenly spaced over the whole range (all of them when n ≤
 * count): a sample of a table's rows that does not depend on where in the table a kind of row sits.
 */
export function evenlySpaced(n: number, count: number): number[] {
  if (n <= count) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: count }, (_, k) => Math.floor((k * n) / count));
}
