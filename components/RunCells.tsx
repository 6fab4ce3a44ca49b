import Link from "next/link";
import type { RunSummary } from "@/lib/runs/types";
import { ProgressBar } from "./ProgressBar";
import { isActive, StatusBadge } from "./StatusBadge";

// Cells shared by the tables of runs (the overview's latest runs and the runs list).

/** The run's status, with its phase and progress while it is queued or running. */
export function RunStatusCell({ run }: { run: Pick<RunSummary, "id" | "status" | "phase" | "progress"> }) {
  return (
    <td>
      <StatusBadge status={run.status} />
      {isActive(run.status) ? (
        <div className="small muted">
          {run.phase} <ProgressBar small value={run.progress} label={`Progress of run ${run.id}`} />
        </div>
      ) : null}
    </td>
  );
}

/** A link to the run's page, labelled with the start of its id (or `label`: runs queued together share their id's start). */
export function RunLink({ id, label = id.slice(0, 8) }: { id: string; label?: string }) {
  return (
    <Link href={`/runs/${id}`} className="mono">
      {label}
    </Link>
  );
}

/** The page header's button to the new-run form (for admins). */
export function NewRunLink() {
  return (
    <Link href="/runs/new" className="btn btn-primary">
      New run
    </Link>
  );
}
