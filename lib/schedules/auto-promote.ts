import type { PrismaClient } from "../db/generated/client";
import { AppError } from "../errors";
import { appendRunLog } from "../runs/run-log";
import type { RunComparison, RunSplit } from "../runs/types";
import { promoteVersion } from "../versions/promote";
import type { AutoPromoteRule } from "./schema";

// A scheduled run with an autoPromote rule makes its candidate serve only when the comparison is
// fair and the gain is real: the run is comparable (same labels), no test row was seen by the
// serving version in training, enough test rows were scored, the serving version was evaluated,
// and the rule's metric improved by at least minDelta (an absolute fraction: 0.01 = one point).
// The worker applies it right after the run's save commits; the decision goes to the run's log.

export interface AutoPromoteInput {
  comparison: RunComparison | null;
  split: RunSplit | null;
  metricsOld: Record<string, unknown> | null;
  metricsNew: Record<string, unknown> | null;
}

export interface AutoPromoteDecision {
  promote: boolean;
  reason: string;
}

const pp = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(1)} pp`;
const num = (m: Record<string, unknown> | null, k: string) => (m && typeof m[k] === "number" && Number.isFinite(m[k]) ? (m[k] as number) : null);

/** Whether a run's candidate may be auto-promoted under `rule`, and why (pure). */
export function autoPromoteDecision(run: AutoPromoteInput, rule: AutoPromoteRule): AutoPromoteDecision {
  const no = (reason: string) => ({ promote: false, reason });
  if (!run.comparison) return no("the run was not compared with a serving version");
  if (run.comparison.comparable !== true) return no(`the run is not comparable with the serving version${run.comparison.reason ? ` (${run.comparison.reason})` : ""}`);
  if (!run.split) return no("the run does not say how its rows were split");
  const seen = run.split.testRowsSeenByOld;
  if (seen !== 0) return no(`${seen} test row${seen === 1 ? " was" : "s were"} seen by the serving version`);
  const scored = run.split.scoredRows;
  if (!(scored >= rule.minTestRows)) return no(`only ${scored} test row${scored === 1 ? " was" : "s were"} scored, fewer than ${rule.minTestRows}`);
  const oldValue = num(run.metricsOld, rule.metric);
  if (oldValue === null) return no(`the serving version has no ${rule.metric} on this run's test rows (no old metrics)`);
  const newValue = num(run.metricsNew, rule.metric);
  if (newValue === null) return no(`the candidate has no ${rule.metric}`);
  const delta = newValue - oldValue;
  // a tolerance for sums of binary fractions: 0.93 − 0.92 must count as 0.01
  if (delta + 1e-12 < rule.minDelta) return no(`${rule.metric} ${pp(delta)} < ${pp(rule.minDelta).replace("+", "")}`);
  return { promote: true, reason: `${rule.metric} ${pp(delta)} ≥ ${pp(rule.minDelta).replace("+", "")}` };
}

/**
 * Applies a scheduled run's autoPromote rule once its save has committed: null when the run was
 * not queued by a schedule with a rule (or has no candidate). The promotion (with its history row
 * naming the schedule and its log line) is one transaction, refused when anyone promoted a version
 * of the model after the run started (its comparison would be against the wrong version).
 */
export async function autoPromoteRun(db: PrismaClient, runId: string): Promise<AutoPromoteDecision | null> {
  const run = await db.trainingRun.findUnique({
    where: { id: runId },
    select: {
      status: true, trigger: true, candidateVersionId: true, startedAt: true, comparison: true, split: true, metricsOld: true, metricsNew: true,
      model: { select: { name: true } },
      schedule: { select: { id: true, autoPromote: true } },
    },
  });
  const rule = run?.schedule?.autoPromote as AutoPromoteRule | null | undefined;
  if (!run || run.trigger !== "schedule" || !rule || run.status !== "succeeded" || !run.candidateVersionId) return null;
  const decision = autoPromoteDecision(
    {
      comparison: run.comparison as RunComparison | null,
      split: run.split as RunSplit | null,
      metricsOld: run.metricsOld as Record<string, unknown> | null,
      metricsNew: run.metricsNew as Record<string, unknown> | null,
    },
    rule,
  );
  if (!decision.promote) {
    await appendRunLog(db, runId, `Not auto-promoted: ${decision.reason}`);
    return decision;
  }
  try {
    await promoteVersion(db, {
      modelName: run.model.name,
      versionId: run.candidateVersionId,
      userId: null,
      scheduleId: run.schedule!.id,
      guard: (m) => (m.promotedAt && run.startedAt && m.promotedAt > run.startedAt ? "another version was promoted after the run started" : null),
      alongside: (tx) => appendRunLog(tx, runId, `Auto-promoted: ${decision.reason}`),
    });
    return decision;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const refused = { promote: false, reason: err.message };
    await appendRunLog(db, runId, `Not auto-promoted: ${refused.reason}`);
    return refused;
  }
}
