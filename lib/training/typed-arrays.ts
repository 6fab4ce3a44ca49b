// Growing the scratch buffers of the training loops.

type Typed = Int32Array | Float32Array | Float64Array;

/** A copy of `a` with room for `length` elements (the rest zero). */
export function grown<T extends Typed>(a: T, length: number): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
}
