"use client";

import Link from "next/link";
import { useState } from "react";
import { ErrorBox } from "../ErrorBox";
import { formatDateTime } from "../format";
import { TitleRow } from "../TitleRow";
import { compareHref } from "../runs/compare/useRunsComparison";
import { ScheduleList } from "../schedules/ScheduleList";
import { PromoteDialog } from "./PromoteDialog";
import { useModelPromotion } from "./useModelPromotion";
import type { ModelRow } from "./useModels";
import { useRegistry } from "./useRegistry";
import { AliasForm } from "./AliasForm";
import { VersionChart } from "./VersionChart";
import { VersionsTable } from "./VersionsTable";

/** One model: what serves, its versions and their scores over time, promotion history, promote and roll back. */
export function ModelCard({ model, isAdmin }: { model: ModelRow; isAdmin: boolean }) {
  const promotion = useModelPromotion(model);
  const registry = useRegistry(model.name);
  const { history, numberOf, rollbackTo } = promotion;
  const count = model.versions.length;
  const serving = model.versions.find((v) => v.serving) ?? null;
  const lastPromotion = history?.promotions[0];
  const [selectedRuns, setSelectedRuns] = useState<ReadonlySet<string>>(new Set());
  const selectRun = (runId: string, on: boolean) =>
    setSelectedRuns((prev) => {
      const next = new Set(prev);
      if (on) next.add(runId);
      else next.delete(runId);
      return next;
    });
  // in the table's order (newest first), so that run A is the newest
  const compareIds = model.versions.flatMap((v) => (v.runId && selectedRuns.has(v.runId) ? [v.runId] : []));

  return (
    <article className="card" aria-labelledby={`model-${model.name}-heading`} data-testid="model-card" data-model={model.name}>
      <TitleRow id={`model-${model.name}-heading`} title={model.name}>
        {model.isDefault ? <span className="badge badge-role">default</span> : null}
        <span className="muted small">{model.kind}</span>
        <span className="spacer" />
        {isAdmin && rollbackTo ? (
          <button type="button" className="btn" data-testid="rollback" onClick={() => promotion.ask(rollbackTo, true)}>
            Roll back to v{numberOf(rollbackTo.id)}
          </button>
        ) : null}
      </TitleRow>
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
          <VersionsTable model={model} isAdmin={isAdmin} promotion={promotion} registry={registry} selectedRuns={selectedRuns} onSelectRun={selectRun} />
          <CompareSelected ids={compareIds} />
          {registry.removeAlias.isError ? <ErrorBox error={registry.removeAlias.error} title="Could not remove the alias" /> : null}
          {isAdmin ? <AliasForm model={model} registry={registry} numberOf={numberOf} /> : null}
        </>
      ) : null}

      {history && history.promotions.length > 0 ? (
        <details className="small" style={{ marginTop: "0.75rem" }}>
          <summary>Promotion history ({history.promotions.length})</summary>
          <ol className="plain-list">
            {history.promotions.map((p) => (
              <li key={p.id}>
                {formatDateTime(p.createdAt)}: v{numberOf(p.versionId)} serves
                {p.previousVersionId ? <> (was v{numberOf(p.previousVersionId)})</> : null}
                {p.by ? <>, by {p.by}</> : null}
                {p.scheduleId ? <>, auto-promoted by schedule <code>{p.scheduleId.slice(0, 10)}</code></> : null}
              </li>
            ))}
          </ol>
        </details>
      ) : null}

      <ScheduleList model={model.name} isAdmin={isAdmin} compact />

      {isAdmin ? <PromoteDialog model={model} serving={serving} promotion={promotion} /> : null}
    </article>
  );
}

/** "Compare runs" for the versions ticked in the table: enabled from two. */
function CompareSelected({ ids }: { ids: string[] }) {
  return (
    <p className="row small" style={{ marginTop: "0.5rem" }}>
      {ids.length >= 2 ? (
        <Link href={compareHref(ids)} className="btn btn-small" data-testid="compare-selected">
          Compare {ids.length} runs
        </Link>
      ) : (
        <span className="muted" data-testid="compare-hint">
          {ids.length === 0 ? "Tick two or more versions to compare their runs." : "Tick one more version to compare their runs."}
        </span>
      )}
    </p>
  );
}
