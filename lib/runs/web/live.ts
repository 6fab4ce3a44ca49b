import { EventEmitter } from "node:events";
import { listen } from "../../db/listener";
import { RUN_EVENTS_CHANNEL } from "../queue";

// Run ids arrive as NOTIFY payloads on the process's LISTEN connection (lib/db/listener.ts) and
// wake the Server-Sent-Event streams of that run. If the connection drops, the streams still poll.
// Each NOTIFY also advances the run's generation, so that the streams woken by it can share one
// read of what it announced (./event-stream.ts).

const g = globalThis as unknown as { runEvents?: EventEmitter; runListening?: boolean; runGenerations?: Map<string, number> };
const generations = (g.runGenerations ??= new Map());

/** How many NOTIFYs of the run this process has received (while it has subscribers). */
export const runGeneration = (runId: string): number => generations.get(runId) ?? 0;

/** Calls `onEvent` whenever the run's worker reports something; returns the unsubscribe function. */
export function subscribeToRun(runId: string, onEvent: () => void): () => void {
  const emitter = (g.runEvents ??= new EventEmitter().setMaxListeners(0));
  if (!g.runListening) {
    g.runListening = true;
    listen(RUN_EVENTS_CHANNEL, {
      onNotify: (id) => {
        if (!id || emitter.listenerCount(id) === 0) return; // nobody streams this run here
        generations.set(id, runGeneration(id) + 1);
        emitter.emit(id);
      },
    });
  }
  emitter.on(runId, onEvent);
  return () => {
    emitter.off(runId, onEvent);
    if (emitter.listenerCount(runId) === 0) generations.delete(runId);
  };
}
