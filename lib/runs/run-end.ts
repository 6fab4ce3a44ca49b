import { CancelledError } from "../errors";
import { RunFailure } from "./run-context";

// How a run that did not succeed ends: its status, the error shown on the run, and its last log
// line. An accepted cancel wins over every other reason (nothing was saved either way).

export interface RunEnd {
  status: "failed" | "cancelled";
  error: string;
  log: string;
  level: "warn" | "error";
}

export interface EndCircumstances {
  /** The run's cancelRequested, read under its row lock. */
  cancelRequested: boolean;
  /** The worker is shutting down. */
  stopping: boolean;
  /** The error came from losing the database connection. */
  connectionLost: boolean;
}

export const isCancellation = (err: unknown) => err instanceof CancelledError || (err as Error)?.name === "CancelledError";

export function describeEnd(err: unknown, c: EndCircumstances): RunEnd {
  const failed = (message: string): RunEnd => ({ status: "failed", error: message, log: message, level: "error" });
  if (c.cancelRequested) return { status: "cancelled", error: "Cancelled on request", log: "Cancelled on request; nothing was saved", level: "warn" };
  if (err instanceof RunFailure) return failed(err.message);
  if (c.connectionLost) {
    return failed(`The worker lost its database connection during the run (${(err as Error).message}). Nothing was saved; start the run again.`);
  }
  if (isCancellation(err)) {
    const why = c.stopping ? "the worker was stopped before the run finished" : `the worker could not finish the run (${(err as Error).message})`;
    return failed(`Stopped: ${why}. Nothing was saved; start the run again.`);
  }
  return failed(`Internal error: ${(err as Error).message}`);
}
