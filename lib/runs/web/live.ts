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
