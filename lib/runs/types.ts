// JSON shapes of the runs API, shared by the route handlers and the pages.
import type { LossPoint, Metrics } from "../training/types";

export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

/** What queued a run: the pages ("manual"), an API token ("api"), or a schedule's tick. */
export type RunTrigger = "manual" | "api" | "schedule";

export interface RunStats {
  /** the phases this run goes through, in order (its progress bar's parts) */
  phases?: string[];
  rows: number;
  trainRows: number;
  testRows: number;
  skippedRows?: number;
  labels?: Record<string, number>;
  /** the temperature folded into the candidate's last layer (1: none was fitted) */
  calibrationTemperature?: number;
  /** training rows held out of the probe to fit it (0: too few training rows) */
  calibrationRows?: number;
  /** encoder runs: distinct texts encoded now, and read from the feature cache */
  encodedRows?: number;
  cachedRows?: number;
  /** encoder runs whose uncached texts were cut into shards: who encoded each, how many texts, in how long */
  encodeShards?: ShardStat[];
}

/** One encode shard of a run (stats.encodeShards). */
export interface ShardStat {
  workerId: string;
  rows: number;
  seconds: number;
}

/** How a run cut its rows (GET /api/runs/:id `split`). */
export interface RunSplit {
  /** "stable": by a hash of each row's key; "positional": the first p_of_train in key order; "random": seeded stratified shuffle */
  kind: "stable" | "positional" | "random";
  /** what identifies a row: the primary key's column(s) ("id", "(a,b)"), or "hash(label,text)" */
  key: string;
  /** "all" or "new" (only rows the serving version had not trained on) */
  rows: "all" | "new";
  trainRows: number;
  testRows: number;
  /**
   * test rows the serving version (or a version it continued from) trained on: set aside, neither
   * model is scored on them. null when the serving version has no record of its rows (made before
   * versions recorded them); 0 when nothing serves.
   */
  testRowsSeenByOld: number | null;
  /** test rows neither model trained on: both are scored on exactly these */
  scoredRows: number;
  /** rows of the table new to the serving version: neither trained nor tested on (null: unknown) */
  newRows: number | null;
}

/** Whether the serving version's scores compare with the candidate's (GET /api/runs/:id `comparison`). */
export interface RunComparison {
  comparable: boolean;
  /** why not, when not */
  reason: string | null;
  /** labels of the data that the serving version lacks (added) and that it has but the data lacks (removed) */
  labelChange: { added: string[]; removed: string[] } | null;
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
  split: RunSplit | null;
  /** null when nothing served when the run started */
  comparison: RunComparison | null;
  lossCurve: LossPoint[];
  timings: Record<string, number> | null;
  workerId: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  cancelRequested: boolean;
  /** "Stop and keep the best so far" was asked for */
  stopRequested: boolean;
  trigger: RunTrigger;
  /** the schedule that queued it (trigger "schedule") */
  scheduleId: string | null;
  /** what people call it (null: shown by its id), their notes and tags (PATCH /api/runs/:id) */
  name: string | null;
  notes: string | null;
  tags: string[];
  /** the sweep it is one point of (GET /api/sweeps/:id) */
  sweepId: string | null;
}

/**
 * One row of GET /api/runs → { runs: RunSummary[], total }. Query (lib/validations/run-list-query.ts):
 * q (name, notes, table or id, case-insensitive), model, table, status, tag, sort (a column or
 * metric, "-" first for descending; runs without it last; newest first by default), limit, offset.
 */
export interface RunSummary {
  id: string;
  name: string | null;
  tags: string[];
  trigger: RunTrigger;
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
  /** the new version's macro-F1 */
  macroF1New: number | null;
  /** key training arguments of the request (null when it does not set them) */
  epochs: number | null;
  learningRate: number | null;
  batchSize: number | null;
}

/**
 * One log line. GET /api/runs/:id/events streams Server-Sent Events: `log` (id: seq, data:
 * RunLogLine; resumable with Last-Event-ID or ?after=<seq>), `progress` (data: RunView, whenever
 * status/phase/progress/loss change) and `end` (data: RunView, once finished; then it closes).
 */
export interface RunLogLine {
  seq: number;
  level: "info" | "warn" | "error";
  message: string;
  createdAt: string;
}
