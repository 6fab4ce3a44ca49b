// What a run's Server-Sent-Event stream (app/api/runs/[id]/events) uses between and during its
// passes: a sleep that a NOTIFY ends, and reads shared by the streams that a NOTIFY woke together.

export interface Waker {
  /** Ends the current sleep, or the next one at once when nobody sleeps now. */
  wake(): void;
  /** Resolves after `ms`, or as soon as woken (at once when a wake came since the last sleep). */
  sleep(ms: number): Promise<void>;
}

/**
 * What an event stream sleeps on between passes: a NOTIFY that arrives while the stream is busy
 * reading (not sleeping) is remembered, so the next sleep returns at once instead of waiting for
 * the poll, and no line waits a whole poll interval for nothing.
 */
export function createWaker(): Waker {
  let pending = false;
  let wakeSleeper: (() => void) | null = null;
  return {
    wake() {
      pending = true;
      wakeSleeper?.();
    },
    sleep(ms) {
      if (pending) {
        pending = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wakeSleeper = null;
          pending = false;
          resolve();
        };
        const timer = setTimeout(done, ms);
        wakeSleeper = done;
      });
    },
  };
}

const inflight = ((globalThis as unknown as { runStreamReads?: Map<string, Promise<unknown>> }).runStreamReads ??= new Map());

/**
 * `read()`, or the promise of the same read already in flight under `key`: when one NOTIFY wakes
 * fifty streams of a run, they make one query, not fifty. Only reads in flight are shared (nothing
 * is cached), so the key must say what makes a result current: the run, its generation (a read
 * started after the NOTIFY that woke the caller sees what that NOTIFY announced) and the caller's
 * position.
 */
export function sharedRead<T>(key: string, read: () => Promise<T>): Promise<T> {
  let p = inflight.get(key) as Promise<T> | undefined;
  if (!p) {
    p = read().finally(() => inflight.delete(key));
    inflight.set(key, p);
  }
  return p;
}
