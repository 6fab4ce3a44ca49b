"use client";

import { useQuery } from "@tanstack/react-query";
import type { RunView } from "@/lib/runs/types";
import { apiFetch } from "../api";
import { isActive } from "../StatusBadge";
import { keepFinishedRun, runQueryKey, useRunEvents } from "./useRunEvents";

/** One run's data and its live events: the run (kept fresh by the stream, polled while it is down) and its log lines. */
export function useRun(id: string) {
  const { lines, state: stream } = useRunEvents(id);
  const query = useQuery({
    queryKey: runQueryKey(id),
    queryFn: ({ signal }) => apiFetch<RunView>(`/api/runs/${encodeURIComponent(id)}`, { signal }),
    structuralSharing: keepFinishedRun,
    // The event stream keeps the cache fresh; poll only while it is down and the run is moving.
    refetchInterval: (q) => {
      const run = q.state.data;
      return run && isActive(run.status) && stream !== "live" && stream !== "ended" ? 3_000 : false;
    },
  });
  return { query, lines, stream };
}
