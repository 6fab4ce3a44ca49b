"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { ModelHistoryResponse } from "@/lib/dashboard/types";
import { apiFetch } from "../api";
import { labelChangeBetween, type LabelChange } from "../LabelChangeConfirm";
import { useConfirmedMutation } from "../useConfirmedMutation";
import { modelsQueryKey, type ModelRow, type ModelVersionRow } from "./useModels";

export interface PendingPromotion {
  version: ModelVersionRow;
  number: number;
  rollback: boolean;
  /** how its labels differ from the serving version's (the promotion must then be confirmed by name) */
  labelChange: LabelChange | null;
}

export type ModelPromotion = ReturnType<typeof useModelPromotion>;

const historyKey = (name: string) => ["model-history", name] as const;

/** A model's promotion history, the version to roll back to, and promoting a version after a confirmation. */
export function useModelPromotion(model: ModelRow) {
  const queryClient = useQueryClient();
  const history = useQuery({
    queryKey: historyKey(model.name),
    queryFn: ({ signal }) => apiFetch<ModelHistoryResponse>(`/api/models/${encodeURIComponent(model.name)}/versions`, { signal }),
  });
  const promote = useConfirmedMutation(
    (p: PendingPromotion) =>
      apiFetch<{ servingVersionId: string }>(`/api/models/${encodeURIComponent(model.name)}/promote`, {
        method: "POST",
        body: p.labelChange ? { versionId: p.version.id, confirmLabelChange: true } : { versionId: p.version.id },
      }),
    () => {
      void queryClient.invalidateQueries({ queryKey: modelsQueryKey });
      void queryClient.invalidateQueries({ queryKey: historyKey(model.name) });
      void queryClient.invalidateQueries({ queryKey: ["overview"] });
      void queryClient.invalidateQueries({ queryKey: ["run"] });
    },
  );

  const count = model.versions.length;
  /** v1 is the oldest version. */
  const numberOf = (id: string) => count - model.versions.findIndex((v) => v.id === id);
  const rollbackTo = history.data?.rollbackVersionId ? (model.versions.find((v) => v.id === history.data.rollbackVersionId) ?? null) : null;

  /** Opens the confirmation for promoting `version` (a rollback when it served before). */
  const serving = model.versions.find((v) => v.serving) ?? null;
  const ask = (version: ModelVersionRow, rollback: boolean) =>
    promote.ask({ version, number: numberOf(version.id), rollback, labelChange: serving ? labelChangeBetween(serving.labels, version.labels) : null });

  return { history: history.data, pending: promote.target, dialog: promote.dialog, ask, numberOf, rollbackTo };
}
