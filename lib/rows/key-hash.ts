// 64-bit hashes of row keys, and sorted sets of them: how a version remembers which rows it
// trained on (VersionTrainedRows) without keeping their texts. The hash is cyrb53's mixing widened
// to 64 bits (two 32-bit lanes over the UTF-16 code units); with 64 bits, a million rows collide
// with a probability of about 3·10⁻⁸.

/** The two 32-bit halves of a key's hash. */
export function hash64(s: string): { hi: number; lo: number } {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return { hi: h2 >>> 0, lo: h1 >>> 0 };
}

/** The hashes of many keys, as one typed array (hi, lo per key). */
export class KeyHashes {
  private constructor(readonly words: Uint32Array) {}

  static of(keys: string[]): KeyHashes {
    const words = new Uint32Array(keys.length * 2);
    for (let i = 0; i < keys.length; i++) {
      const { hi, lo } = hash64(keys[i]);
      words[2 * i] = hi;
      words[2 * i + 1] = lo;
    }
    return new KeyHashes(words);
  }

  /** Hashes already computed: hi, lo per key. */
  static fromWords(words: Uint32Array): KeyHashes {
    if (words.length % 2 !== 0) throw new Error(`key hashes: ${words.length} words is not a whole number of (hi, lo) pairs`);
    return new KeyHashes(words);
  }

  get length(): number {
    return this.words.length / 2;
  }

  hi(i: number): number {
    return this.words[2 * i];
  }

  lo(i: number): number {
    return this.words[2 * i + 1];
  }

  /** A uniform number in [0, 1) drawn from key i's hash (the stable split's coin). */
  unit(i: number): number {
    return this.words[2 * i] / 4294967296;
  }
}

/** A sorted, duplicate-free set of 64-bit key hashes, stored as little-endian u64 bytes. */
export class KeyHashSet {
  /** the same memory as 32-bit words: low, high per value (typed arrays are little-endian on every platform Node runs on) */
  private readonly words: Uint32Array;

  private constructor(private readonly values: BigUint64Array) {
    this.words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  }

  static readonly empty = new KeyHashSet(new BigUint64Array(0));

  /** The set of `hashes[i]` for each i in `indices` (all when omitted), joined with `base`. */
  static from(hashes: KeyHashes, indices?: ArrayLike<number>, base?: KeyHashSet): KeyHashSet {
    const n = indices ? indices.length : hashes.length;
    const extra = base?.values.length ?? 0;
    const all = new BigUint64Array(n + extra);
    const words = new Uint32Array(all.buffer);
    for (let j = 0; j < n; j++) {
      const i = indices ? indices[j] : j;
      // little-endian u64: the low word first
      words[2 * j] = hashes.lo(i);
      words[2 * j + 1] = hashes.hi(i);
    }
    if (base) all.set(base.values, n);
    all.sort();
    let m = 0;
    for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[m - 1]) all[m++] = all[i];
    // no duplicates (the usual case): the array as it is, not a copy (56 MB at 7,000,000 rows)
    return new KeyHashSet(m === all.length ? all : all.slice(0, m));
  }

  /** A set whose bytes are `buffer`'s, taken as they are (no copy): the caller gives it up. */
  static adopt(buffer: ArrayBuffer): KeyHashSet {
    if (buffer.byteLength % 8 !== 0) throw new Error(`trained-row hashes: ${buffer.byteLength} bytes is not a whole number of 64-bit hashes`);
    return new KeyHashSet(new BigUint64Array(buffer));
  }

  /** The set's bytes (its hashes in order, little-endian u64) in consecutive views of at most `size` bytes, without a copy. */
  *parts(size: number): Generator<Uint8Array> {
    const all = new Uint8Array(this.values.buffer, this.values.byteOffset, this.values.byteLength);
    for (let at = 0; at < all.length; at += size) yield all.subarray(at, Math.min(all.length, at + size));
  }

  get size(): number {
    return this.values.length;
  }

  /** Whether key i of `hashes` is in the set (binary search on the 32-bit words). */
  has(hashes: KeyHashes, i: number): boolean {
    const words = this.words;
    const hi = hashes.hi(i);
    const lo = hashes.lo(i);
    let a = 0;
    let b = this.values.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      const mHi = words[2 * mid + 1];
      const mLo = words[2 * mid];
      if (mHi < hi || (mHi === hi && mLo < lo)) a = mid + 1;
      else b = mid;
    }
    return a < this.values.length && words[2 * a + 1] === hi && words[2 * a] === lo;
  }
}
