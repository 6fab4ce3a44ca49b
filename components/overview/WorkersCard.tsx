import Link from "next/link";
import type { WorkerView } from "@/lib/dashboard/types";
import { formatDateTime } from "../format";
import { formatAgo } from "../relativeTime";
import { TitleRow } from "../TitleRow";

/** Workers alive (with what each trains), and those that stopped in the last day. */
export function WorkersCard({ workers, aliveWithinMs, queued, now }: { workers: WorkerView[]; aliveWithinMs: number; queued: number; now: number }) {
  const alive = workers.filter((w) => w.alive);
  const gone = workers.filter((w) => !w.alive);
  return (
    <section className="card" aria-labelledby="workers-heading" data-testid="overview-workers">
      <TitleRow id="workers-heading" title="Workers">
        <span className={`badge ${alive.length > 0 ? "badge-succeeded" : "badge-failed"}`} data-testid="workers-alive" data-count={alive.length}>
          {alive.length} alive
        </span>
      </TitleRow>
      {alive.length === 0 ? (
        <div className={`alert ${queued > 0 ? "alert-warn" : "alert-info"}`} style={{ marginTop: "0.75rem" }}>
          <p>
            No worker has sent a heartbeat in the last {Math.round(aliveWithinMs / 1000)} s
            {queued > 0 ? `, so ${queued} queued run${queued === 1 ? " waits" : "s wait"}` : ""}.
          </p>
          <p>
            <code>npm start</code> starts one; <code>npm run worker</code> adds another.
          </p>
        </div>
      ) : (
        <ul className="plain-list">
          {alive.map((w) => (
            <li key={w.id} data-testid="worker" data-alive="true">
              <span className="status-dot status-dot-alive" aria-hidden="true" />
              <span className="mono">
                {w.hostname}:{w.pid}
              </span>{" "}
              <span className={`badge ${w.device === "cuda" ? "badge-succeeded" : "badge-role"}`} data-testid="worker-device" title="what this worker encodes on (WORKER_DEVICE)">
                {w.device}
              </span>{" "}
              {w.runId ? (
                <>
                  training <Link href={`/runs/${w.runId}`}>run {w.runId.slice(0, 8)}</Link>
                </>
              ) : (
                <span className="muted">idle</span>
              )}
              <div className="small muted">
                heartbeat {formatAgo(w.heartbeatAt, now)}, up since {formatDateTime(w.startedAt)}
              </div>
            </li>
          ))}
        </ul>
      )}
      {gone.length > 0 ? (
        <details className="small" style={{ marginTop: "0.5rem" }}>
          <summary>
            {gone.length} stopped in the last day
          </summary>
          <ul className="plain-list">
            {gone.map((w) => (
              <li key={w.id} className="muted">
                <span className="status-dot" aria-hidden="true" />
                <span className="mono">
                  {w.hostname}:{w.pid}
                </span>{" "}
                last heartbeat {formatAgo(w.heartbeatAt, now)}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}
