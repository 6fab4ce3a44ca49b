// JSON shapes of the runs API, shared by the route handlers and the pages.
import type { LossPoint, Metrics } from "../training/types";

export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export interface RunStats {
  rows: number;
  trainRows: number;
  testRows: number;
  skippedRows?: number;
  labels?: Record<string, number>;
}

/** GET /api/runs/:id */
export interface RunView {
  id: string;
  model: string;
  status: RunStatus;
  phase: string;
  /** 0..1 */
  progress: number;
  step: number | null;
  totalSteps: number | null;
  etaSeconds: number | null;
  rowsPerSecond: number | null;
  error: string | null;
  request: Record<string, unknown>;
  candidateVersionId: string | null;
  /** true when the candidate is the model's serving version now */
  candidateServing: boolean;
  stats: RunStats | null;
  metrics: { old: Metrics | null; new: Metrics | null };
  lossCurve: LossPoint[];
  timings: Record<string, number> | null;
  workerId: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  cancelRequested: boolean;
}

/** One row of GET /api/runs (newest first; ?status=&limit=&offset=) → { runs: RunSummary[], total } */
export interface RunSummary {
  id: string;
  model: string;
  status: RunStatus;
  phase: string;
  progress: number;
  table: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  accuracyOld: number | null;
  accuracyNew: number | null;
}

export interface RunLogLine {
  seq: number;
  level: "info" | "warn" | "error";
  message: string;
  createdAt: string;
}

/**
 * GET /api/runs/:id/events — Server-Sent Events:
 *   event: log       id: <seq>   data: RunLogLine        (resumable with Last-Event-ID / ?after=<seq>)
 *   event: progress              data: RunView           (whenever status/phase/progress/loss change)
 *   event: end                   data: RunView           (once the run is finished; then the stream closes)
 */
export type RunEvent =
  | { type: "log"; line: RunLogLine }
  | { type: "progress"; run: RunView }
  | { type: "end"; run: RunView };

/** POST /api/predict → */
export interface PredictResponse {
  model: string;
  versionId: string;
  elapsedMs: number;
  /** `top`: the k best labels, best first, when the model's pipeline option top_k is set */
  predictions: { label: string; scores: Record<string, number>; top?: { label: string; score: number }[] }[];
}

/** Any 4xx/5xx from the API */
export interface ApiError {
  error: string;
  /** field-level problems for 400s: path is the field name ("p_of_train", "columns", …) */
  issues?: { path: string; message: string }[];
}
