import { EventEmitter } from "node:events";
import pg from "pg";
import { databaseUrl } from "../../env";
import { RUN_EVENTS_CHANNEL } from "../queue";

// One LISTEN connection per web process; run ids arrive as NOTIFY payloads and wake the
// Server-Sent-Event streams of that run. If the connection drops, the streams still poll.
// Each NOTIFY also advances the run's generation, so that the streams woken by it can share one
// read of what it announced (./event-stream.ts).

const g = globalThis as unknown as { runEvents?: EventEmitter; runListener?: Promise<void>; runGenerations?: Map<string, number> };
const generations = (g.runGenerations ??= new Map());

/** How many NOTIFYs of the run this process has received (while it has subscribers). */
export const runGeneration = (runId: string): number => generations.get(runId) ?? 0;

function connect(emitter: EventEmitter): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  client.on("notification", (n) => {
    if (!n.payload || emitter.listenerCount(n.payload) === 0) return; // nobody streams this run here
    generations.set(n.payload, runGeneration(n.payload) + 1);
    emitter.emit(n.payload);
  });
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
  return () => {
    emitter.off(runId, onEvent);
    if (emitter.listenerCount(runId) === 0) generations.delete(runId);
  };
}
