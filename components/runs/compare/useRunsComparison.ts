"use client";

import { useQuery } from "@tanstack/react-query";
import type { RunsComparison } from "@/lib/dashboard/run-compare";
import { apiFetch } from "../../api";

/** The compare page's address for these runs (the Runs list and the Models page link to it). */
export function compareHref(ids: readonly string[]): string {
  return `/runs/compare?ids=${ids.map(encodeURIComponent).join(",")}`;
}

/** GET /api/runs/compare?ids=…: the runs' views and their arguments lined up. */
export function useRunsComparison(ids: readonly string[]) {
  return useQuery({
    queryKey: ["runs", "compare", ...ids],
    queryFn: ({ signal }) => apiFetch<RunsComparison>(`/api/runs/compare?ids=${ids.map(encodeURIComponent).join(",")}`, { signal }),
    retry: false,
  });
}
