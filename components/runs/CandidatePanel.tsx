"use client";

import { useQueryClient } from "@tanstack/react-query";
import type { RunView } from "@/lib/runs/types";
import { apiFetch } from "../api";
import { ConfirmDialog } from "../ConfirmDialog";
import { Delta } from "../Delta";
import { LabelChangeConfirm, useTypedName } from "../LabelChangeConfirm";
import { formatPercent } from "../format";
import { numeric, TableHead } from "../Table";
import { useConfirmedMutation } from "../useConfirmedMutation";
import { NO_OLD_MODEL } from "./MetricsTable";
import { SCORE_METRICS } from "./scoreMetrics";
import { runQueryKey } from "./useRunEvents";

/** The version the run stored, whether it serves, and Override with the old-vs-new deltas to confirm. */
export function CandidatePanel({ run, isAdmin }: { run: RunView & { candidateVersionId: string }; isAdmin: boolean }) {
  const queryClient = useQueryClient();
  const change = run.comparison?.labelChange ?? null;
  const promote = useConfirmedMutation(
    ({ model, versionId }: { model: string; versionId: string }) =>
      apiFetch<{ model: string; servingVersionId: string; previousVersionId: string | null }>(`/api/models/${encodeURIComponent(model)}/promote`, {
        method: "POST",
        body: change ? { versionId, confirmLabelChange: true } : { versionId },
      }),
    (result) => {
      queryClient.setQueryData<RunView>(runQueryKey(run.id), (r) => (r ? { ...r, candidateServing: result.servingVersionId === r.candidateVersionId } : r));
      void queryClient.invalidateQueries({ queryKey: runQueryKey(run.id) });
      void queryClient.invalidateQueries({ queryKey: ["models"] });
      void queryClient.invalidateQueries({ queryKey: ["overview"] });
    },
  );
  const typedName = useTypedName(run.model, promote.dialog.open ? run.candidateVersionId : null);
  const oldM = run.metrics.old;
  const newM = run.metrics.new;

  return (
    <div className="card" data-testid="candidate">
      <h2>New version</h2>
      <div className="row">
        <span>
          Version <code>{run.candidateVersionId}</code> of <strong>{run.model}</strong>
        </span>
        {run.candidateServing ? (
          <span className="badge badge-serving" data-testid="serving-badge">
            Serving
          </span>
        ) : (
          <span className="muted">Not serving</span>
        )}
        <span className="spacer" />
        {isAdmin && !run.candidateServing ? (
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => promote.ask({ model: run.model, versionId: run.candidateVersionId })}
          >
            Override
          </button>
        ) : null}
      </div>
      {!run.candidateServing && !isAdmin ? <p className="hint">An admin can make this version serve predictions.</p> : null}
      <ConfirmDialog
        {...promote.dialog}
        title={`Serve this version of ${run.model}?`}
        confirmLabel="Confirm override"
        confirmDisabled={change !== null && !typedName.confirmed}
      >
        <p>
          Predictions for <strong>{run.model}</strong> will come from version <code>{run.candidateVersionId}</code>. The current version is kept, so
          you can roll back later.
        </p>
        {change ? <LabelChangeConfirm modelName={run.model} change={change} typedName={typedName} /> : null}
        {oldM && run.comparison?.comparable !== false ? (
          <table className="table compact" data-testid="override-deltas">
            <caption className="visually-hidden">Old versus new on the held-out rows</caption>
            <TableHead columns={["Metric", numeric("Old"), numeric("New"), numeric("Change")]} />
            <tbody>
              {SCORE_METRICS.map((m) => (
                <tr key={m.key}>
                  <th scope="row">{m.label}</th>
                  <td className="num">{formatPercent(oldM[m.key])}</td>
                  <td className="num">{formatPercent(newM?.[m.key])}</td>
                  <td className="num">
                    <Delta oldValue={oldM[m.key]} newValue={newM?.[m.key]} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p>
            {oldM ? "The old and new scores do not compare (the labels change)" : NO_OLD_MODEL}. New accuracy {formatPercent(newM?.accuracy)}, F1 (weighted) {formatPercent(newM?.f1)}, macro F1 {formatPercent(newM?.macro_f1)}.
          </p>
        )}
      </ConfirmDialog>
    </div>
  );
}
