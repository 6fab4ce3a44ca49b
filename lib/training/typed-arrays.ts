// Growing the scratch buffers of the training loops; arrays that threads share.

type Typed = Int32Array | Uint32Array | Float32Array | Float64Array;

/** A copy of `a` with room for `length` elements (the rest zero). */
export function grown<T extends Typed>(a: T, length: number): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
}

type SharedCtor<T> = { new (buffer: SharedArrayBuffer): T; readonly BYTES_PER_ELEMENT: number };

/** A zeroed typed array in shared memory: worker threads that are sent it see (and write) the same elements. */
export function sharedArray<T>(Ctor: SharedCtor<T>, length: number): T {
  return new Ctor(new SharedArrayBuffer(length * Ctor.BYTES_PER_ELEMENT));
}

export const sharedFloat32 = (length: number): Float32Array => sharedArray(Float32Array, length);
