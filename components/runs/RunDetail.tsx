"use client";

// components/runs/: the Runs list (search, filters and sort kept in the URL) and a run's page:
// header, name, notes and tags, progress, comparison, confusion matrices, loss, data and log
// panels, and the hooks for the run's data and live events.

import Link from "next/link";
import { useState } from "react";
import type { RunView } from "@/lib/runs/types";
import { ApiRequestError } from "../api";
import { ErrorBox } from "../ErrorBox";
import { isActive } from "../StatusBadge";
import { useIsAdmin } from "../useMe";
import { CandidatePanel } from "./CandidatePanel";
import { ComparePanel } from "./ComparePanel";
import { ConfusionPanel } from "./ConfusionPanel";
import { ErrorsPanel, type ErrorFilter } from "./ErrorsPanel";
import { FairnessBanner } from "./FairnessBanner";
import { LossChart } from "./LossChart";
import { RunDataPanel } from "./RunDataPanel";
import { RunHeader } from "./RunHeader";
import { RunLogView } from "./RunLogView";
import { RunMeta } from "./RunMeta";
import { RunProgress } from "./RunProgress";
import { useRun } from "./useRun";

export function RunDetail({ id }: { id: string }) {
  const isAdmin = useIsAdmin();
  const { query, lines, stream } = useRun(id);
  const [errorFilter, setErrorFilter] = useState<ErrorFilter>({});
  const [errorPage, setErrorPage] = useState(0);

  if (query.isPending) {
    return (
      <p className="muted" role="status">
        Loading run…
      </p>
    );
  }
  if (query.isError) {
    const notFound = query.error instanceof ApiRequestError && query.error.status === 404;
    return (
      <ErrorBox error={query.error} title={notFound ? "Run not found" : "Could not load this run"}>
        <p>
          <Link href="/runs">Back to all runs</Link>
        </p>
      </ErrorBox>
    );
  }

  const run = query.data;
  const active = isActive(run.status);
  const hasMetrics = run.metrics.old !== null || run.metrics.new !== null;

  return (
    <section aria-labelledby="run-heading">
      <RunHeader run={run} isAdmin={isAdmin} />
      <RunMeta run={run} isAdmin={isAdmin} />
      <FairnessBanner run={run} />
      <RunProgress run={run} stream={stream} />
      {hasCandidate(run) ? <CandidatePanel run={run} isAdmin={isAdmin} /> : null}
      {hasMetrics ? <ComparePanel metrics={run.metrics} comparable={run.comparison?.comparable !== false} /> : null}
      {hasMetrics ? (
        <ConfusionPanel
          metrics={run.metrics}
          noOld={run.comparison?.labelChange && !run.metrics.old ? "The serving version shares no label with the data: not evaluated" : undefined}
          onCell={
            run.candidateVersionId
              ? (t, p) => {
                  setErrorFilter({ true: t, predicted: p });
                  setErrorPage(0);
                  document.getElementById("run-errors")?.scrollIntoView({ behavior: "smooth", block: "start" });
                }
              : undefined
          }
        />
      ) : null}
      {run.candidateVersionId && run.metrics.new ? (
        <ErrorsPanel runId={run.id} labels={run.metrics.new.confusion_matrix.labels} filter={errorFilter} onFilter={setErrorFilter} page={errorPage} onPage={setErrorPage} />
      ) : null}
      <div className="card">
        <h2>Loss</h2>
        <LossChart points={run.lossCurve} />
      </div>
      <RunDataPanel run={run} active={active} />
      <div className="card">
        <h2>Log</h2>
        <RunLogView lines={lines} emptyText={active ? "Waiting for the first log line…" : "This run wrote no log lines."} />
      </div>
    </section>
  );
}

function hasCandidate(run: RunView): run is RunView & { candidateVersionId: string } {
  return run.candidateVersionId !== null;
}
