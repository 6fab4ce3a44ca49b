"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { ModelHistoryResponse } from "@/lib/dashboard/types";
import { apiFetch, errorMessage } from "../api";
import { axisFloor, tooltipStyle } from "../runs/CompareCharts";
import { ConfirmDialog } from "../ConfirmDialog";
import { Delta } from "../Delta";
import { ErrorBox } from "../ErrorBox";
import { formatDateTime, formatPercent } from "../format";
import { NewRunLink } from "../RunCells";
import { numeric, Table } from "../Table";
import { modelsQueryKey, useModels, type ModelRow, type ModelVersionRow } from "./useModels";

const historyKey = (name: string) => ["model-history", name] as const;

export function exportHref(versionId: string): string {
  return `/api/models/versions/${encodeURIComponent(versionId)}/export`;
}

export function ModelsView({ isAdmin }: { isAdmin: boolean }) {
  const query = useModels();
  return (
    <section aria-labelledby="models-heading">
      <div className="page-header">
        <h1 id="models-heading">Models</h1>
        {isAdmin ? <NewRunLink /> : null}
      </div>
      <p className="muted">
        Each training run stores a new version; exactly one version per model serves predictions. Promoting an older version is
        the rollback, and every version can be exported as a standalone ONNX folder.
      </p>
      {query.isPending ? (
        <p className="muted" role="status">
          Loading models…
        </p>
      ) : query.isError ? (
        <ErrorBox error={query.error} title="Could not load the models" onRetry={() => void query.refetch()} />
      ) : query.data.models.length === 0 ? (
        <div className="card empty">
          <p>No model is configured.</p>
          {isAdmin ? <Link href="/settings">Add one in Settings</Link> : <p>Ask an admin to configure a model.</p>}
        </div>
      ) : (
        query.data.models.map((m) => <ModelCard key={m.name} model={m} isAdmin={isAdmin} />)
      )}
    </section>
  );
}

interface PendingPromotion {
  version: ModelVersionRow;
  number: number;
  rollback: boolean;
}

function ModelCard({ model, isAdmin }: { model: ModelRow; isAdmin: boolean }) {
  const queryClient = useQueryClient();
  const history = useQuery({
    queryKey: historyKey(model.name),
    queryFn: ({ signal }) => apiFetch<ModelHistoryResponse>(`/api/models/${encodeURIComponent(model.name)}/versions`, { signal }),
  });
  const [pending, setPending] = useState<PendingPromotion | null>(null);
  const promote = useMutation({
    mutationFn: (versionId: string) =>
      apiFetch<{ servingVersionId: string }>(`/api/models/${encodeURIComponent(model.name)}/promote`, { method: "POST", body: { versionId } }),
    onSuccess: () => {
      setPending(null);
      void queryClient.invalidateQueries({ queryKey: modelsQueryKey });
      void queryClient.invalidateQueries({ queryKey: historyKey(model.name) });
      void queryClient.invalidateQueries({ queryKey: ["overview"] });
      void queryClient.invalidateQueries({ queryKey: ["run"] });
    },
  });

  const count = model.versions.length;
  // v1 is the oldest version.
  const numberOf = (id: string) => count - model.versions.findIndex((v) => v.id === id);
  const serving = model.versions.find((v) => v.serving) ?? null;
  const rollbackTo = history.data?.rollbackVersionId ? model.versions.find((v) => v.id === history.data.rollbackVersionId) ?? null : null;
  const lastPromotion = history.data?.promotions[0];

  const ask = (version: ModelVersionRow, rollback: boolean) => {
    promote.reset();
    setPending({ version, number: numberOf(version.id), rollback });
  };

  return (
    <article className="card" aria-labelledby={`model-${model.name}-heading`} data-testid="model-card" data-model={model.name}>
      <div className="row">
        <h2 id={`model-${model.name}-heading`} style={{ margin: 0 }}>
          {model.name}
        </h2>
        {model.isDefault ? <span className="badge badge-role">default</span> : null}
        <span className="muted small">{model.kind}</span>
        <span className="spacer" />
        {isAdmin && rollbackTo ? (
          <button type="button" className="btn" data-testid="rollback" onClick={() => ask(rollbackTo, true)}>
            Roll back to v{numberOf(rollbackTo.id)}
          </button>
        ) : null}
      </div>
      <p className="small muted" data-testid="model-serving-summary">
        {serving ? (
          <>
            <span className="badge badge-serving">Serving</span> v{numberOf(serving.id)} (<code>{serving.id.slice(0, 10)}</code>)
            {model.promotedAt ? <>, promoted {formatDateTime(model.promotedAt)}</> : null}
            {model.promotedBy ?? lastPromotion?.by ? <> by {model.promotedBy ?? lastPromotion?.by}</> : null}.
          </>
        ) : count > 0 ? (
          <>Nothing serves yet: promote a version below.</>
        ) : (
          <>
            No versions yet. {isAdmin ? <Link href="/runs/new">Start a run</Link> : "Ask an admin to start a run"}, then press
            Override on its page.
          </>
        )}
      </p>

      {count > 0 ? (
        <>
          <VersionChart model={model} />
          <Table columns={["Version", "Created", "Run", "Labels", numeric("Accuracy"), numeric("F1 (w)"), numeric("Macro F1"), "Serving", "Export"]} caption={`Versions of ${model.name}, newest first`} testId="versions-table">
            {model.versions.map((v) => (
              <tr key={v.id} data-testid="version-row" data-version-id={v.id} data-serving={v.serving}>
                <th scope="row">
                  v{numberOf(v.id)} <code className="small muted">{v.id.slice(0, 10)}</code>
                </th>
                <td>{formatDateTime(v.createdAt)}</td>
                <td>{v.runId ? <Link href={`/runs/${v.runId}`}>{v.runId.slice(0, 8)}</Link> : <span className="muted">—</span>}</td>
                <td className="small">{v.labels.join(", ")}</td>
                <td className="num">{formatPercent(v.accuracy)}</td>
                <td className="num">{formatPercent(v.f1)}</td>
                <td className="num">{formatPercent(v.macroF1)}</td>
                <td>
                  {v.serving ? (
                    <span className="badge badge-serving" data-testid="version-serving-badge">
                      Serving
                    </span>
                  ) : isAdmin ? (
                    <button
                      type="button"
                      className="btn btn-small"
                      onClick={() => ask(v, false)}
                      aria-label={`Promote v${numberOf(v.id)} of ${model.name}`}
                    >
                      Promote
                    </button>
                  ) : (
                    <span className="muted small">—</span>
                  )}
                </td>
                <td>
                  <a href={exportHref(v.id)} download className="small" aria-label={`Export v${numberOf(v.id)} of ${model.name}`}>
                    Download
                  </a>
                </td>
              </tr>
            ))}
          </Table>
        </>
      ) : null}

      {history.data && history.data.promotions.length > 0 ? (
        <details className="small" style={{ marginTop: "0.75rem" }}>
          <summary>Promotion history ({history.data.promotions.length})</summary>
          <ol className="plain-list">
            {history.data.promotions.map((p) => (
              <li key={p.id}>
                {formatDateTime(p.createdAt)}: v{numberOf(p.versionId)} serves
                {p.previousVersionId ? <> (was v{numberOf(p.previousVersionId)})</> : null}
                {p.by ? <>, by {p.by}</> : null}
              </li>
            ))}
          </ol>
        </details>
      ) : null}

      {isAdmin ? (
        <ConfirmDialog
          open={pending !== null}
          title={pending ? `${pending.rollback ? "Roll back" : "Promote"} ${model.name} to v${pending.number}?` : ""}
          confirmLabel={pending?.rollback ? "Confirm roll back" : "Confirm promote"}
          busy={promote.isPending}
          error={promote.isError ? errorMessage(promote.error) : null}
          onCancel={() => setPending(null)}
          onConfirm={() => pending && promote.mutate(pending.version.id)}
        >
          {pending ? (
            <>
              <p>
                Predictions for <strong>{model.name}</strong> will come from v{pending.number} (<code>{pending.version.id.slice(0, 10)}</code>)
                {serving ? <> instead of v{numberOf(serving.id)}</> : null}. You can switch back at any time.
              </p>
              {serving ? (
                <ul>
                  <li>
                    Accuracy {formatPercent(serving.accuracy)} → {formatPercent(pending.version.accuracy)} (
                    <Delta oldValue={serving.accuracy} newValue={pending.version.accuracy} />)
                  </li>
                  <li>
                    F1 (weighted) {formatPercent(serving.f1)} → {formatPercent(pending.version.f1)} (
                    <Delta oldValue={serving.f1} newValue={pending.version.f1} />)
                  </li>
                </ul>
              ) : null}
              <p className="hint">Each version was measured on its own run&apos;s held-out rows, so these differences are indicative.</p>
            </>
          ) : null}
        </ConfirmDialog>
      ) : null}
    </article>
  );
}

function VersionChart({ model }: { model: ModelRow }) {
  const points = [...model.versions].reverse().map((v, i) => ({
    name: `v${i + 1}`,
    accuracy: v.accuracy,
    f1: v.f1,
    macroF1: v.macroF1 ?? null,
    serving: v.serving,
  }));
  if (points.length < 2) return null;
  const servingPoint = points.find((p) => p.serving);
  const summary = points.map((p) => `${p.name}: accuracy ${formatPercent(p.accuracy)}, F1 ${formatPercent(p.f1)}`).join("; ");
  return (
    <div className="chart chart-small" role="img" aria-label={`Scores over versions of ${model.name}. ${summary}`} data-testid="versions-chart">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={points} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
          <XAxis dataKey="name" stroke="var(--muted)" tick={{ fontSize: 11 }} />
          <YAxis domain={[axisFloor(points.flatMap((p) => [p.accuracy, p.f1, p.macroF1])), 1]} allowDataOverflow tickFormatter={(v: number) => `${Math.round(v * 100)}%`} stroke="var(--muted)" tick={{ fontSize: 11 }} width={44} />
          <Tooltip
            contentStyle={tooltipStyle}
            formatter={(v) => (typeof v === "number" ? formatPercent(v) : "—")}
          />
          <Legend />
          {servingPoint ? <ReferenceLine x={servingPoint.name} stroke="var(--good)" strokeDasharray="4 2" label={{ value: "serving", fill: "var(--good)", fontSize: 11, position: "insideTopRight" }} /> : null}
          <Line type="monotone" dataKey="accuracy" name="Accuracy" stroke="var(--accent)" isAnimationActive={false} connectNulls />
          <Line type="monotone" dataKey="f1" name="F1 (weighted)" stroke="var(--warn)" isAnimationActive={false} connectNulls />
          <Line type="monotone" dataKey="macroF1" name="Macro F1" stroke="var(--chart-old)" strokeDasharray="5 3" isAnimationActive={false} connectNulls />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
