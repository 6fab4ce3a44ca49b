"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { AliasView } from "@/lib/validations/registry";
import { apiFetch } from "../api";
import { modelsQueryKey } from "./useModels";

const base = (model: string) => `/api/models/${encodeURIComponent(model)}`;

/** The registry's writes on the Models page (admins): set, move and remove aliases; edit a version's description. */
export function useRegistry(model: string) {
  const queryClient = useQueryClient();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: modelsQueryKey });
  const setAlias = useMutation({
    mutationFn: (p: { alias: string; versionId: string }) => apiFetch<AliasView>(`${base(model)}/aliases`, { method: "POST", body: p }),
    onSuccess: refresh,
  });
  const removeAlias = useMutation({
    mutationFn: (alias: string) => apiFetch(`${base(model)}/aliases/${encodeURIComponent(alias)}`, { method: "DELETE" }),
    onSuccess: refresh,
  });
  const describe = useMutation({
    mutationFn: (p: { versionId: string; description: string }) =>
      apiFetch(`${base(model)}/versions/${encodeURIComponent(p.versionId)}`, { method: "PATCH", body: { description: p.description } }),
    onSuccess: refresh,
  });
  return { setAlias, removeAlias, describe };
}

export type Registry = ReturnType<typeof useRegistry>;
