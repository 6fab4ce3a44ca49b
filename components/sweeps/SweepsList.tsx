"use client";

import Link from "next/link";
import { ErrorBox } from "../ErrorBox";
import { formatDateTime, formatPercent } from "../format";
import { numeric, Table } from "../Table";
import { describeSpec, useSweeps } from "./useSweeps";

/** The newest sweeps: model, what they sweep, their runs by status and the best macro-F1 so far. */
export function SweepsList() {
  const query = useSweeps();
  if (query.isError) return <ErrorBox error={query.error} title="Could not load sweeps" onRetry={() => void query.refetch()} />;
  if (query.isPending) return <p className="muted" role="status">Loading sweeps…</p>;
  const sweeps = query.data.sweeps;
  if (sweeps.length === 0) return <p className="muted" data-testid="sweeps-empty">No sweeps yet.</p>;
  return (
    <Table columns={["Sweep", "Model", "Swept", "Runs", "Created", numeric("Best macro F1")]} caption="Sweeps, newest first" testId="sweeps-table">
      {sweeps.map((s) => (
        <tr key={s.id} data-testid="sweep-row">
          <td>
            <Link href={`/sweeps/${s.id}`} className="mono">
              {s.id.slice(-8)}
            </Link>
          </td>
          <td>{s.model}</td>
          <td className="mono small">{describeSpec(s)}</td>
          <td className="small">
            {Object.entries(s.counts)
              .map(([status, n]) => `${n} ${status}`)
              .join(", ")}
          </td>
          <td>{formatDateTime(s.createdAt)}</td>
          <td className="num">{s.best ? formatPercent(s.best.score) : <span className="muted">—</span>}</td>
        </tr>
      ))}
    </Table>
  );
}
