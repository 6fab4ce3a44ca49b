import v8 from "node:v8";
import vm from "node:vm";

// A full garbage collection when the JS heap has grown by some amount since the last one. For a
// loop over a big table in blocks (lib/kinds/starter/train.ts: each block of texts is read back,
// counted or encoded, then dropped): V8 lets the old generation fill with such dead blocks for a
// long while before it collects (measured: counting 200,000 texts in blocks of 20,000 left the
// peak 0.11 GiB higher without it), and the peak resident memory is what a big run is bounded by.
// A collection of a heap of this size takes tens of milliseconds; it runs at most once per
// `grownBytes` of garbage, or per a quarter of the heap that lived through the last collection when
// that is more: a collection's cost grows with the live heap (about a second for 1.5 GiB of rows at
// 7,000,000 rows, where a fixed 64 MiB made it run hundreds of times), so its share of the work
// stays bounded, and tables of up to a million rows (a live heap under 256 MiB) are unchanged.
// The garbage counted is the JS heap's and the array buffers' (shared ones included): a block's
// token ids live in a buffer outside the JS heap, which V8 frees only when a collection finds its
// (small) object dead. The quarter is of the JS heap only: live buffers (a big table's columns)
// cost a collection nothing to keep, and counting them made it wait for more garbage (0.85 →
// 1.02 GiB while tokenising 7,000,000 rows).

type Gc = () => void;
let gc: Gc | null | undefined;
/** the JS heap and the array buffers in use just after the last collection made here */
let heapFloor = 0;
let bufferFloor = 0;

const heapInUse = () => v8.getHeapStatistics().used_heap_size;
const buffersInUse = () => process.memoryUsage().arrayBuffers;

/** global.gc when node runs with --expose-gc, else the same function exposed at run time; null where neither works. */
function gcFunction(): Gc | null {
  if (gc === undefined) {
    try {
      const g = (globalThis as { gc?: Gc }).gc;
      if (typeof g === "function") gc = g;
      else {
        v8.setFlagsFromString("--expose-gc");
        const exposed = vm.runInNewContext("gc") as unknown;
        gc = typeof exposed === "function" ? (exposed as Gc) : null;
      }
    } catch {
      gc = null;
    }
  }
  return gc;
}

/** Collects garbage if the JS heap and the array buffers in use grew by `grownBytes` (default 64 MiB), or by a quarter of the JS heap left by the last collection made here if more, since that collection; returns whether it did. */
export function collectGarbageIfGrown(grownBytes = 64 * 2 ** 20): boolean {
  const grown = heapInUse() - heapFloor + (buffersInUse() - bufferFloor);
  if (grown < Math.max(grownBytes, heapFloor / 4)) return false;
  const collect = gcFunction();
  if (!collect) return false;
  collect();
  heapFloor = heapInUse();
  bufferFloor = buffersInUse();
  return true;
}
