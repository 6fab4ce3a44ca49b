import type { RunView } from "@/lib/runs/types";
import { formatDateTime, formatInt, formatSeconds, runDuration } from "../format";
import { ProgressBar } from "../ProgressBar";
import { isActive } from "../StatusBadge";
import type { StreamState } from "./useRunEvents";

const STREAM_TEXT: Record<StreamState, string> = {
  connecting: "Connecting to live updates…",
  live: "Live",
  reconnecting: "Reconnecting…",
  ended: "Run finished",
  failed: "Live updates unavailable; refreshing every few seconds",
};

/** Phase, progress bar, steps, ETA, rows/s, and whether live updates arrive. */
export function RunProgress({ run, stream }: { run: RunView; stream: StreamState }) {
  const active = isActive(run.status);
  const progress = run.status === "succeeded" ? 1 : run.progress;
  const stepText = run.step !== null && run.totalSteps !== null ? `step ${formatInt(run.step)} / ${formatInt(run.totalSteps)}` : null;
  return (
    <div className="card">
      <div className="row">
        <span className="phase-label">Phase</span> <strong data-testid="run-phase">{run.phase || "—"}</strong>
        <span className="spacer" />
        <span className="muted small" aria-live="polite" data-testid="stream-state">
          {STREAM_TEXT[stream]}
        </span>
      </div>
      {run.stats?.phases && active ? <PhaseSteps phases={run.stats.phases} current={run.phase} /> : null}
      <div style={{ margin: "0.6rem 0" }}>
        <ProgressBar value={progress} label="Run progress" valueText={`${Math.round(progress * 100)} %${stepText ? `, ${stepText}` : ""}`} />
      </div>
      <div className="row small muted">
        <span data-testid="run-progress">{Math.round(progress * 100)} %</span>
        {stepText ? <span data-testid="run-steps">{stepText}</span> : null}
        {active && run.etaSeconds !== null ? <span data-testid="run-eta">ETA {formatSeconds(run.etaSeconds)}</span> : null}
        {run.rowsPerSecond !== null ? <span data-testid="run-rate">{formatInt(run.rowsPerSecond)} rows/s</span> : null}
        {run.cancelRequested && active ? <span>Cancellation requested…</span> : null}
        <span className="spacer" />
        <span>Created {formatDateTime(run.createdAt)}</span>
        <span>Duration {runDuration(run.startedAt, run.finishedAt)}</span>
      </div>
    </div>
  );
}

/** The run's phases in order, the current one marked: what the progress bar goes through. */
function PhaseSteps({ phases, current }: { phases: string[]; current: string }) {
  const at = phases.indexOf(current);
  return (
    <ol className="phase-steps small" aria-label="Phases of this run" data-testid="run-phases">
      {phases.map((p, i) => (
        <li key={p} aria-current={i === at ? "step" : undefined} className={i < at ? "done" : undefined}>
          {p}
        </li>
      ))}
    </ol>
  );
}
