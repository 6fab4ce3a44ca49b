"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import type { RunLogLine, RunView } from "@/lib/runs/types";
import { isActive } from "../StatusBadge";

export type StreamState = "connecting" | "live" | "reconnecting" | "ended" | "failed";

/** Insert lines into a seq-ordered array, dropping seqs already present. Returns the same array when nothing changed. */
export function mergeLogLines(current: RunLogLine[], incoming: RunLogLine[]): RunLogLine[] {
  let out: RunLogLine[] | null = null;
  for (const line of incoming) {
    const arr: RunLogLine[] = out ?? current;
    const last = arr[arr.length - 1];
    if (!last || line.seq > last.seq) {
      out = out ?? current.slice();
      out.push(line);
      continue;
    }
    // Out of order: binary search for its place; skip duplicates.
    let lo = 0;
    let hi = arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (arr[mid]!.seq < line.seq) lo = mid + 1;
      else hi = mid;
    }
    if (arr[lo]?.seq === line.seq) continue;
    out = out ?? current.slice();
    out.splice(lo, 0, line);
  }
  return out ?? current;
}

/**
 * structuralSharing for the run query: a run never goes from finished back to queued/running,
 * so a slow GET that lands after the stream's `end` event must not overwrite the final run.
 */
export function keepFinishedRun(oldData: unknown, newData: unknown): unknown {
  const prev = oldData as RunView | undefined;
  const next = newData as RunView | undefined;
  if (prev && next && prev.id === next.id && !isActive(prev.status) && isActive(next.status)) return prev;
  return next;
}

export function runQueryKey(id: string) {
  return ["run", id] as const;
}

const MAX_MANUAL_RETRIES = 8;

/**
 * Follows GET /api/runs/:id/events: log lines are kept ordered and de-duplicated by seq,
 * progress/end events replace the run in the react-query cache. The browser's EventSource
 * resumes with Last-Event-ID by itself; when the stream is closed for good without an `end`
 * (an error answer), it is reopened with ?after=<last seq>, with back-off.
 */
export function useRunEvents(id: string): { lines: RunLogLine[]; state: StreamState } {
  const queryClient = useQueryClient();
  const [lines, setLines] = useState<RunLogLine[]>([]);
  const [state, setState] = useState<StreamState>("connecting");
  const lastSeq = useRef<number | null>(null);

  useEffect(() => {
    let source: EventSource | null = null;
    let finished = false;
    let disposed = false;
    let retries = 0;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    let pending: RunLogLine[] = [];

    setLines([]);
    setState("connecting");
    lastSeq.current = null;

    const flush = () => {
      flushTimer = undefined;
      const batch = pending;
      pending = [];
      if (batch.length > 0 && !disposed) setLines((current) => mergeLogLines(current, batch));
    };

    const setRun = (data: string) => {
      try {
        const run = JSON.parse(data) as RunView;
        queryClient.setQueryData(runQueryKey(id), run);
      } catch {
        /* ignore a malformed frame */
      }
    };

    const connect = () => {
      if (disposed) return;
      const url =
        lastSeq.current === null
          ? `/api/runs/${encodeURIComponent(id)}/events`
          : `/api/runs/${encodeURIComponent(id)}/events?after=${lastSeq.current}`;
      const es = new EventSource(url);
      source = es;

      es.onopen = () => {
        retries = 0;
        setState("live");
      };
      es.addEventListener("log", (event) => {
        try {
          const line = JSON.parse((event as MessageEvent<string>).data) as RunLogLine;
          if (lastSeq.current === null || line.seq > lastSeq.current) lastSeq.current = line.seq;
          pending.push(line);
          flushTimer ??= setTimeout(flush, 50);
        } catch {
          /* ignore a malformed frame */
        }
      });
      es.addEventListener("progress", (event) => setRun((event as MessageEvent<string>).data));
      es.addEventListener("end", (event) => {
        finished = true;
        setRun((event as MessageEvent<string>).data);
        es.close();
        flush();
        setState("ended");
        void queryClient.invalidateQueries({ queryKey: ["runs"] });
      });
      es.onerror = () => {
        if (finished || disposed) return;
        if (es.readyState === EventSource.CLOSED) {
          // The browser gave up (e.g. an error status): reopen ourselves from the last seq.
          if (retries >= MAX_MANUAL_RETRIES) {
            setState("failed");
            return;
          }
          setState("reconnecting");
          const delay = Math.min(30_000, 1_000 * 2 ** retries);
          retries += 1;
          retryTimer = setTimeout(connect, delay);
        } else {
          setState("reconnecting");
        }
      };
    };

    connect();

    return () => {
      disposed = true;
      source?.close();
      if (retryTimer) clearTimeout(retryTimer);
      if (flushTimer) clearTimeout(flushTimer);
    };
  }, [id, queryClient]);

  return { lines, state };
}
