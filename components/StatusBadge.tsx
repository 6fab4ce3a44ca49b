import type { RunStatus } from "@/lib/runs/types";

const LABELS: Record<RunStatus, string> = {
  queued: "Queued",
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
  cancelled: "Cancelled",
};

export function StatusBadge({ status }: { status: RunStatus }) {
  return (
    <span className={`badge badge-${status}`} data-testid="status-badge" data-status={status}>
      {LABELS[status] ?? status}
    </span>
  );
}

export function isActive(status: RunStatus): boolean {
  return status === "queued" || status === "running";
}
