import type { PrismaClient } from "../db/generated/client";
import type { LossPoint } from "../training/types";
import { smoothEta, type EtaState } from "./eta";
import { failpoint } from "./failpoint";
import { notifyRunEvent } from "./queue";
import { appendRunLog } from "./run-log";

// What a run handler uses to tell the world how it is doing: log lines (rows with a per-run
// sequence number, so a reconnecting browser misses nothing) and throttled progress updates.
// Each write is followed by a NOTIFY that the web process turns into Server-Sent Events. Progress is
// written only while the run is still running on this worker: a worker that lost its claim (the
// run was reaped or ended) changes nothing and is told so through `onLost`. ETAs are smoothed
// within each phase (./eta.ts).

export interface Progress {
  phase?: string;
  /** 0..1 over the whole run */
  progress?: number;
  step?: number | null;
  totalSteps?: number | null;
  etaSeconds?: number | null;
  rowsPerSecond?: number | null;
}

export interface RunReporter {
  log(message: string, level?: "info" | "warn" | "error"): Promise<void>;
  progress(p: Progress, opts?: { force?: boolean }): Promise<void>;
  lossPoint(p: LossPoint): Promise<void>;
  flush(): Promise<void>;
}

export function createRunReporter(
  db: PrismaClient,
  runId: string,
  workerId: string,
  opts: { minIntervalMs?: number; echo?: (line: string) => void; onLost?: () => void } = {},
): RunReporter {
  const minInterval = opts.minIntervalMs ?? 250;
  let pending: Progress = {};
  let curve: LossPoint[] = [];
  let curveDirty = false;
  let lastWrite = 0;
  let phase: string | undefined;
  let eta: EtaState | null = null;

  async function write(): Promise<void> {
    const data: Record<string, unknown> = { ...pending };
    if (curveDirty) data.lossCurve = curve;
    pending = {};
    curveDirty = false;
    lastWrite = Date.now();
    if (Object.keys(data).length === 0) return;
    const { count } = await db.trainingRun.updateMany({ where: { id: runId, workerId, status: "running" }, data });
    if (count === 0) return opts.onLost?.();
    await notifyRunEvent(db, runId);
    if (typeof data.phase === "string") failpoint(`phase:${data.phase}`);
  }

  // One line at a time, in the order logged: parts of a run that log at once (the starter's
  // calibration probe and the model, training side by side) would otherwise race for the same
  // number, and a line that lost the race three times would be lost, or come out of order.
  let logged: Promise<void> = Promise.resolve();

  return {
    async log(message, level = "info") {
      opts.echo?.(`[run ${runId}] ${level === "info" ? "" : level + ": "}${message}`);
      const line = logged.then(() => appendRunLog(db, runId, message, level));
      logged = line.catch(() => {});
      await line;
      await notifyRunEvent(db, runId);
    },
    async progress(p, o = {}) {
      if (p.phase !== undefined) {
        phase = p.phase;
        eta = null;
      }
      if (typeof p.etaSeconds === "number") {
        eta = smoothEta(eta, p.etaSeconds, phase, Date.now());
        p = { ...p, etaSeconds: eta ? eta.eta : null };
      }
      pending = { ...pending, ...p };
      if (o.force || p.phase !== undefined || Date.now() - lastWrite >= minInterval) await write();
    },
    async lossPoint(p) {
      curve = [...curve, p];
      curveDirty = true;
      if (Date.now() - lastWrite >= minInterval) await write();
    },
    flush: write,
  };
}
