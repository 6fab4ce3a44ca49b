"use client";

import { useQuery } from "@tanstack/react-query";
import type { RankMetric, SweepView } from "@/lib/sweeps/spec";
import { apiFetch } from "../api";

export const sweepsQueryKey = ["sweeps"] as const;
export const sweepQueryKey = (id: string, metric: RankMetric) => ["sweeps", id, metric] as const;

const moving = (s: SweepView) => (s.counts.queued ?? 0) + (s.counts.running ?? 0) > 0;

/** The newest sweeps, polled while any of them has a queued or running run. */
export function useSweeps() {
  return useQuery({
    queryKey: sweepsQueryKey,
    queryFn: ({ signal }) => apiFetch<{ sweeps: SweepView[] }>("/api/sweeps", { signal }),
    refetchInterval: (q) => (q.state.data?.sweeps.some(moving) ? 2_000 : false),
  });
}

/** One sweep with its runs ranked by `metric`, polled while any run is queued or running. */
export function useSweep(id: string, metric: RankMetric) {
  return useQuery({
    queryKey: sweepQueryKey(id, metric),
    queryFn: ({ signal }) => apiFetch<SweepView>(`/api/sweeps/${encodeURIComponent(id)}?metric=${metric}`, { signal }),
    refetchInterval: (q) => (q.state.data && moving(q.state.data) ? 2_000 : false),
  });
}

/** "learning_rate ∈ {0.01, 0.1} × num_train_epochs ∈ {1, 2}" or "8 random trials (seed 1) of learning_rate, …". */
export function describeSpec(s: SweepView): string {
  if ("grid" in s.spec) {
    return Object.entries(s.spec.grid)
      .map(([k, v]) => `${k} ∈ {${v.map((x) => JSON.stringify(x)).join(", ")}}`)
      .join(" × ");
  }
  const { trials, seed, ...args } = s.spec.random;
  return `${trials} random trials (seed ${seed}) of ${Object.keys(args).join(", ")}`;
}
