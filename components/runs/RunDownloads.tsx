/** Links to the run's metrics, per-class scores and loss curve as files (GET /api/runs/:id/metrics.csv and .json). */
export function RunDownloads({ runId }: { runId: string }) {
  const base = `/api/runs/${encodeURIComponent(runId)}/metrics`;
  return (
    <p className="small" style={{ margin: 0 }} data-testid="run-downloads">
      Download metrics:{" "}
      <a href={`${base}.csv`} download>
        CSV
      </a>{" "}
      ·{" "}
      <a href={`${base}.json`} download>
        JSON
      </a>
    </p>
  );
}
