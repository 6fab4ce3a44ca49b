import type { RunView, ShardStat } from "@/lib/runs/types";
import { formatInt, formatNumber } from "../format";
import { Stat } from "../Stat";

const SPLIT_WORDS = { stable: "Stable", positional: "Positional", random: "Random" } as const;

/** The rows the run read (train, test, skipped, per label), the calibration temperature, and the request it was given. */
export function RunDataPanel({ run, active }: { run: RunView; active: boolean }) {
  return (
    <div className="card">
      <h2>Data</h2>
      {run.stats ? (
        <>
          <dl className="stats" data-testid="run-stats">
            <Stat label="Rows">{formatInt(run.stats.rows)}</Stat>
            <Stat label="Train">{formatInt(run.stats.trainRows)}</Stat>
            <Stat label="Test">{formatInt(run.stats.testRows)}</Stat>
            {run.stats.skippedRows ? <Stat label="Skipped">{formatInt(run.stats.skippedRows)}</Stat> : null}
            {run.stats.calibrationRows ? (
              <Stat label="Temperature">
                {formatNumber(run.stats.calibrationTemperature, 2)} <span className="small muted">({formatInt(run.stats.calibrationRows)} rows held out)</span>
              </Stat>
            ) : null}
            {run.split?.testRowsSeenByOld ? <Stat label="Set aside">{formatInt(run.split.testRowsSeenByOld)}</Stat> : null}
          </dl>
          {run.split ? (
            <p className="small muted" style={{ marginTop: "0.6rem" }} data-testid="run-split">
              {SPLIT_WORDS[run.split.kind]} split by <code>{run.split.key}</code>
              {run.split.rows === "new" ? ", new rows only" : ""}: {formatInt(run.split.trainRows)} training rows, {formatInt(run.split.testRows)} test
              rows
              {run.split.testRowsSeenByOld === null
                ? " (unknown how many the serving version trained on)"
                : run.split.testRowsSeenByOld > 0
                  ? `, of which ${formatInt(run.split.testRowsSeenByOld)} the serving version trained on (set aside)`
                  : ", none seen by the serving version"}
              ; both models scored on {formatInt(run.split.scoredRows)}.
              {run.split.newRows !== null ? ` ${formatInt(run.split.newRows)} rows were new to the serving version.` : ""}
            </p>
          ) : null}
          {run.stats.encodeShards?.length ? <ShardLine shards={run.stats.encodeShards} /> : null}
          {run.stats.labels && Object.keys(run.stats.labels).length > 0 ? (
            <p className="small muted" style={{ marginTop: "0.6rem" }}>
              Labels:{" "}
              {Object.entries(run.stats.labels)
                .map(([label, count]) => `${label} (${formatInt(count)})`)
                .join(", ")}
            </p>
          ) : null}
        </>
      ) : (
        <p className="muted">{active ? "Row counts appear once the rows are fetched." : "No rows were fetched."}</p>
      )}
      <details>
        <summary>Request</summary>
        <pre className="mono small" style={{ overflowX: "auto" }}>
          {JSON.stringify(run.request, null, 2)}
        </pre>
      </details>
    </div>
  );
}

/** Who encoded the run's shards: per worker, shards, texts and seconds. */
function ShardLine({ shards }: { shards: ShardStat[] }) {
  const byWorker = new Map<string, { shards: number; rows: number; seconds: number }>();
  for (const s of shards) {
    const w = byWorker.get(s.workerId) ?? { shards: 0, rows: 0, seconds: 0 };
    byWorker.set(s.workerId, { shards: w.shards + 1, rows: w.rows + s.rows, seconds: w.seconds + s.seconds });
  }
  return (
    <p className="small muted" style={{ marginTop: "0.6rem" }} data-testid="run-shards">
      Encoded in {shards.length} shards by {byWorker.size} {byWorker.size === 1 ? "worker" : "workers"}:{" "}
      {[...byWorker.entries()].map(([id, w]) => `${id} (${w.shards} shards, ${formatInt(w.rows)} texts, ${formatNumber(w.seconds, 1)} s)`).join(", ")}
    </p>
  );
}
