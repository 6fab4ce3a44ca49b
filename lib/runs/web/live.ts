import { EventEmitter } from "node:events";
import pg from "pg";
import { databaseUrl } from "../../env";
import { RUN_EVENTS_CHANNEL } from "../queue";

// One LISTEN connection per web process; run ids arrive as NOTIFY payloads and wake the
// Server-Sent-Event streams of that run. If the connection drops, the streams still poll.

const g = globalThis as unknown as { runEvents?: EventEmitter; runListener?: Promise<void> };

function connect(emitter: EventEmitter): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  client.on("notification", (n) => n.payload && emitter.emit(n.payload));
  client.on("error", () => {
    g.runListener = undefined; // reconnect on next subscriber
    client.end().catch(() => {});
  });
  return client.connect().then(() => client.query(`LISTEN ${RUN_EVENTS_CHANNEL}`)).then(() => undefined);
}

/** Calls `onEvent` whenever the run's worker reports something; returns the unsubscribe function. */
export function subscribeToRun(runId: string, onEvent: () => void): () => void {
  const emitter = (g.runEvents ??= new EventEmitter().setMaxListeners(0));
  g.runListener ??= connect(emitter).catch(() => {
    g.runListener = undefined;
  });
  emitter.on(runId, onEvent);
  return () => emitter.off(runId, onEvent);
}

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
