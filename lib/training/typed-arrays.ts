// Growing the scratch buffers of the training loops; arrays that threads share.

type Typed = Int32Array | Float32Array | Float64Array;

/** A copy of `a` with room for `length` elements (the rest zero). */
export function grown<T extends Typed>(a: T, length: number): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
}

/** A zeroed Float32Array in shared memory: worker threads that are sent it see (and write) the same elements. */
export function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
}
