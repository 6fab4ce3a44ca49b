"use client";

import { useQuery } from "@tanstack/react-query";
import type { Encoding } from "@/lib/kinds/types";
import type { ModelSettings } from "@/lib/validations/model-config";
import { apiFetch } from "../api";

/** The parts of GET /api/models the pages read. */
export interface ModelVersionRow {
  id: string;
  createdAt: string;
  runId: string | null;
  labels: string[];
  accuracy: number | null;
  f1: number | null;
  macroF1?: number | null;
  serving: boolean;
  /** what it is, in the admins' words */
  description?: string | null;
  /** the model's aliases that name it (besides "serving") */
  aliases?: string[];
}
export interface ModelRow {
  name: string;
  kind: string;
  isDefault: boolean;
  servingVersionId: string | null;
  promotedAt: string | null;
  promotedBy?: string | null;
  /** How it is configured (Settings edits these). */
  settings?: ModelSettings;
  /** What it really reads and trains (the starter's are its own, not its settings'). */
  encoding?: Encoding;
  /** newest first */
  versions: ModelVersionRow[];
}
export interface ModelsResponse {
  models: ModelRow[];
}

export const modelsQueryKey = ["models"] as const;

/** GET /api/models: the configured models and their versions (shared by every page that lists them). */
export function useModels() {
  return useQuery({
    queryKey: modelsQueryKey,
    queryFn: ({ signal }) => apiFetch<ModelsResponse>("/api/models", { signal }),
  });
}
