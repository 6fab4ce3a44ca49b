// Seeded pseudo-random numbers: one 32-bit state, no globals.

/** A generator of uniform floats in [0, 1). */
export type Rng = () => number;

/** mulberry32: a tiny, well-mixed 32-bit generator (period 2^32). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [0, n). */
export function randInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** Fisher–Yates shuffle in place; returns the same array. */
export function shuffleInPlace<T>(arr: T[] | Int32Array | Uint32Array, rng: Rng): typeof arr {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = randInt(rng, i + 1);
    const t = arr[i];
    arr[i] = arr[j];
    arr[j] = t;
  }
  return arr;
}

/** A permutation of 0..n-1. */
export function permutation(n: number, rng: Rng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  shuffleInPlace(p, rng);
  return p;
}

/** Standard normal sample (Box–Muller). */
export function gaussian(rng: Rng): number {
  let u = 0;
  while (u === 0) u = rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Fill with N(0, std²). */
export function fillGaussian(out: Float32Array, std: number, rng: Rng): Float32Array {
  for (let i = 0; i < out.length; i++) out[i] = gaussian(rng) * std;
  return out;
}

/** Fill with U(-limit, limit). */
export function fillUniform(out: Float32Array, limit: number, rng: Rng): Float32Array {
  for (let i = 0; i < out.length; i++) out[i] = (rng() * 2 - 1) * limit;
  return out;
}
