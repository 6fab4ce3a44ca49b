"use client";

import { useQuery } from "@tanstack/react-query";
import type { ScheduleView } from "@/lib/schedules/schema";
import { apiFetch } from "../api";

// components/schedules/: the schedules list (Settings and each model's card), the form that
// creates one, and the hook they share. Every change invalidates ["schedules"].

export const schedulesQueryKey = ["schedules"] as const;

/** GET /api/schedules (?model= one model's), refreshed every 15 s so next ticks and skips stay current. */
export function useSchedules(model?: string) {
  return useQuery({
    queryKey: [...schedulesQueryKey, model ?? null],
    queryFn: ({ signal }) => apiFetch<{ schedules: ScheduleView[] }>(`/api/schedules${model ? `?model=${encodeURIComponent(model)}` : ""}`, { signal }),
    refetchInterval: 15_000,
  });
}
