// IEEE 754 half precision (binary16) in plain JS: Node 20 has no Float16Array.
//
//   binary32: 1 sign · 8 exponent (bias 127) · 23 fraction
//   binary16: 1 sign · 5 exponent (bias 15)  · 10 fraction
//
// Encoding rounds to nearest, ties to even; values beyond the largest half (65504, after rounding)
// become ±Infinity, values below the smallest subnormal (2^-24, after rounding) become ±0, NaN stays
// NaN (quiet). Decoding is exact (every half is a float).

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** One float → its binary16 bits. */
export function toHalfBits(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const frac = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (frac ? 0x200 : 0); // Inf, or a quiet NaN
  const e = exp - 127 + 15; // the half's biased exponent
  if (e >= 0x1f) return sign | 0x7c00; // too large even before rounding
  if (e <= 0) {
    // Subnormal half (or zero): value = m · 2^-24 with m = round(1.frac · 2^(exp-127+24)).
    if (e < -10) return sign; // below half the smallest subnormal: rounds to zero
    const m = frac | 0x800000; // the implicit leading 1
    const shift = 14 - e; // 24-bit significand → 10-bit field, plus the exponent gap
    const halfway = 1 << (shift - 1);
    const rest = m & ((1 << shift) - 1);
    let h = m >>> shift;
    if (rest > halfway || (rest === halfway && (h & 1))) h++; // a carry into bit 10 gives the smallest normal: correct
    return sign | h;
  }
  // Normal: keep the top 10 fraction bits, round on the 13 dropped.
  let h = (e << 10) | (frac >>> 13);
  const rest = frac & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1))) h++; // a carry may roll into the exponent (up to Inf): correct
  return sign | h;
}

/** binary16 bits → the float they denote. */
export function fromHalfBits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1024 + frac) * 2 ** (exp - 25);
}

// Decoding through a table: 65,536 floats (256 KiB), built on first use.
let table: Float32Array | null = null;
function decodeTable(): Float32Array {
  if (!table) {
    table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) table[h] = fromHalfBits(h);
  }
  return table;
}

/** Floats → little-endian binary16 bytes (2 per value). */
export function encodeFloat16(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  for (let i = 0; i < values.length; i++) {
    const h = toHalfBits(values[i]);
    out[2 * i] = h & 0xff;
    out[2 * i + 1] = h >>> 8;
  }
  return out;
}

/** Little-endian binary16 bytes → floats. */
export function decodeFloat16(bytes: Uint8Array): Float32Array {
  if (bytes.length % 2) throw new Error(`float16 data has an odd byte count (${bytes.length})`);
  const t = decodeTable();
  const out = new Float32Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = t[bytes[2 * i] | (bytes[2 * i + 1] << 8)];
  return out;
}

/** Floats → little-endian binary32 bytes (a copy). */
export function encodeFloat32(values: Float32Array): Uint8Array {
  const copy = values.slice();
  return new Uint8Array(copy.buffer, copy.byteOffset, copy.byteLength);
}

/** Little-endian binary32 bytes → floats (copied, so the source may be unaligned). */
export function decodeFloat32(bytes: Uint8Array): Float32Array {
  if (bytes.length % 4) throw new Error(`float32 data has ${bytes.length} bytes, not a multiple of 4`);
  return new Float32Array(new Uint8Array(bytes).buffer);
}
