import Link from "next/link";
import type { OverviewResponse } from "@/lib/dashboard/types";
import { formatPercent, runDuration } from "../format";
import { formatAgo } from "../relativeTime";
import { RunLink, RunStatusCell } from "../RunCells";
import { numeric, Table } from "../Table";
import { TitleRow } from "../TitleRow";

/** The newest runs with their status, table, model, age, duration and new accuracy. */
export function LatestRuns({ latestRuns, runCounts, isAdmin, now }: Pick<OverviewResponse, "latestRuns" | "runCounts"> & { isAdmin: boolean; now: number }) {
  return (
    <section className="card" aria-labelledby="latest-runs-heading">
      <TitleRow id="latest-runs-heading" title="Latest runs">
        <span className="muted small">
          {runCounts.running} running, {runCounts.queued} queued, {runCounts.total} in all
        </span>
        <span className="spacer" />
        <Link href="/runs">All runs</Link>
      </TitleRow>
      {latestRuns.length === 0 ? (
        <div className="empty" data-testid="overview-runs-empty">
          <p>No training runs yet.</p>
          {isAdmin ? (
            <Link href="/runs/new" className="btn btn-primary">
              Start a run
            </Link>
          ) : (
            <p>Ask an admin to start a training run.</p>
          )}
        </div>
      ) : (
        <Table columns={["Status", "Run", "Model", "Created", numeric("Duration"), numeric("Accuracy")]} caption="Latest training runs, newest first" testId="overview-runs">
          {latestRuns.map((run) => (
            <tr key={run.id} data-testid="overview-run" data-run-id={run.id}>
              <RunStatusCell run={run} />
              <td>
                <RunLink id={run.id} />
                <div className="small muted mono">{run.table}</div>
              </td>
              <td>{run.model}</td>
              <td>{formatAgo(run.createdAt, now)}</td>
              <td className="num">{runDuration(run.startedAt, run.finishedAt, now)}</td>
              <td className="num">{formatPercent(run.accuracyNew)}</td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}
