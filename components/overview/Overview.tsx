"use client";

// components/overview/: the Overview page: serving models, latest runs, workers.

import Link from "next/link";
import type { OverviewResponse } from "@/lib/dashboard/types";
import { ErrorBox } from "../ErrorBox";
import { formatDateTime } from "../format";
import { NewRunLink } from "../RunCells";
import { LatestRuns } from "./LatestRuns";
import { ServingCard } from "./ServingCard";
import { useOverview } from "./useOverview";
import { WorkersCard } from "./WorkersCard";

/** The page a team keeps open: what serves, what ran, who is working. Polls every few seconds. */
export function Overview({ initialData, isAdmin }: { initialData?: OverviewResponse; isAdmin: boolean }) {
  const query = useOverview(initialData);

  if (query.isPending) {
    return (
      <p className="muted" role="status">
        Loading overview…
      </p>
    );
  }
  if (query.isError && !query.data) {
    return (
      <ErrorBox error={query.error} title="Could not load the overview" onRetry={() => void query.refetch()} />
    );
  }
  const data = query.data;
  const now = new Date(data.now).getTime();

  return (
    <section aria-labelledby="overview-heading">
      <div className="page-header">
        <h1 id="overview-heading">Overview</h1>
        {isAdmin ? <NewRunLink /> : null}
      </div>

      {query.isError ? (
        <div className="alert alert-warn" role="status">
          Could not refresh: showing data from {formatDateTime(data.now)}.
        </div>
      ) : null}

      <h2 id="serving-heading">Serving models</h2>
      <div className="grid-2" aria-labelledby="serving-heading" data-testid="overview-models">
        {data.models.length === 0 ? (
          <div className="card empty">
            <p>No model is configured.</p>
            {isAdmin ? <Link href="/settings">Add one in Settings</Link> : <p>Ask an admin to configure a model.</p>}
          </div>
        ) : (
          data.models.map((m) => <ServingCard key={m.name} model={m} isAdmin={isAdmin} />)
        )}
      </div>

      <div className="overview-columns">
        <LatestRuns latestRuns={data.latestRuns} runCounts={data.runCounts} isAdmin={isAdmin} now={now} />
        <WorkersCard workers={data.workers.workers} aliveWithinMs={data.workers.aliveWithinMs} queued={data.runCounts.queued} now={now} />
      </div>
    </section>
  );
}
