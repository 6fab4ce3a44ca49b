"use client";

import { useQuery } from "@tanstack/react-query";
import type { OverviewResponse } from "@/lib/dashboard/types";
import { apiFetch } from "../api";

export const overviewQueryKey = ["overview"] as const;

/** GET /api/overview, polled every few seconds (faster while runs are queued or running). */
export function useOverview(initialData?: OverviewResponse) {
  return useQuery({
    queryKey: overviewQueryKey,
    queryFn: ({ signal }) => apiFetch<OverviewResponse>("/api/overview", { signal }),
    initialData,
    refetchInterval: (q) => (q.state.data && (q.state.data.runCounts.running > 0 || q.state.data.runCounts.queued > 0) ? 2_000 : 5_000),
  });
}
