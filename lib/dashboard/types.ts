// JSON shapes of the dashboard's own read routes (overview, workers, a model's promotion history).
import type { RunSummary } from "../runs/types";

/** A worker counts as alive when it heartbeated within this many milliseconds (~3 × the default 2 s heartbeat, plus slack). */
export const WORKER_ALIVE_MS = 10_000;

export interface ServingSummary {
  versionId: string;
  createdAt: string;
  runId: string | null;
  labels: string[];
  accuracy: number | null;
  /** weighted F1 */
  f1: number | null;
  macroF1: number | null;
  /** held-out rows the metrics were measured on */
  samples: number | null;
}

export interface OverviewModel {
  name: string;
  kind: string;
  isDefault: boolean;
  versionCount: number;
  serving: ServingSummary | null;
  promotedAt: string | null;
  /** e-mail of the user who promoted the serving version (null: promoted by a script or unknown) */
  promotedBy: string | null;
}

export interface WorkerView {
  id: string;
  hostname: string;
  pid: number;
  /** what it encodes on: "cpu" or "cuda" */
  device: string;
  startedAt: string;
  heartbeatAt: string;
  alive: boolean;
  /** the run it is training now, if any */
  runId: string | null;
}

/** GET /api/workers */
export interface WorkersResponse {
  aliveWithinMs: number;
  workers: WorkerView[];
}

/** GET /api/overview */
export interface OverviewResponse {
  now: string;
  models: OverviewModel[];
  /** newest first */
  latestRuns: RunSummary[];
  runCounts: { queued: number; running: number; total: number };
  workers: WorkersResponse;
}

export interface PromotionView {
  id: string;
  versionId: string;
  previousVersionId: string | null;
  createdAt: string;
  by: string | null;
  /** the schedule whose auto-promotion made it (by is then null) */
  scheduleId: string | null;
}

/** GET /api/models/:name/versions: the model's promotion history and where "roll back" goes. */
export interface ModelHistoryResponse {
  name: string;
  servingVersionId: string | null;
  /** the version that served before the current one (the last promotion's previous version), when it still exists */
  rollbackVersionId: string | null;
  /** newest first */
  promotions: PromotionView[];
}
