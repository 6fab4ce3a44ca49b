"use client";

import { ConfirmDialog } from "../ConfirmDialog";
import { Delta } from "../Delta";
import { formatPercent } from "../format";
import { LabelChangeConfirm, useTypedName } from "../LabelChangeConfirm";
import type { ModelPromotion } from "./useModelPromotion";
import type { ModelRow, ModelVersionRow } from "./useModels";

/** Confirms a promotion or rollback, with the serving version's scores next to the chosen one's. */
export function PromoteDialog({ model, serving, promotion }: { model: ModelRow; serving: ModelVersionRow | null; promotion: ModelPromotion }) {
  const { pending, numberOf } = promotion;
  const typedName = useTypedName(model.name, pending?.version.id ?? null);
  const change = pending?.labelChange ?? null;
  return (
    <ConfirmDialog
      {...promotion.dialog}
      confirmDisabled={change !== null && !typedName.confirmed}
      title={pending ? `${pending.rollback ? "Roll back" : "Promote"} ${model.name} to v${pending.number}?` : ""}
      confirmLabel={pending?.rollback ? "Confirm roll back" : "Confirm promote"}
    >
      {pending ? (
        <>
          <p>
            Predictions for <strong>{model.name}</strong> will come from v{pending.number} (<code>{pending.version.id.slice(0, 10)}</code>)
            {serving ? <> instead of v{numberOf(serving.id)}</> : null}. You can switch back at any time.
          </p>
          {change ? <LabelChangeConfirm modelName={model.name} change={change} typedName={typedName} /> : null}
          {serving && !change ? (
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
  );
}
