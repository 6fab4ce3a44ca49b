"use client";

import { useEffect, useRef } from "react";
import type { RunLogLine } from "@/lib/runs/types";
import { formatTime } from "./format";

interface LogViewProps {
  lines: RunLogLine[];
  /** Shown when there are no lines yet. */
  emptyText?: string;
}

/** Log lines in seq order; follows the tail unless the user scrolled up. */
export function LogView({ lines, emptyText = "No log lines yet." }: LogViewProps) {
  const ref = useRef<HTMLOListElement>(null);
  const stick = useRef(true);

  useEffect(() => {
    const el = ref.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [lines]);

  if (lines.length === 0) return <p className="muted">{emptyText}</p>;

  return (
    <ol
      ref={ref}
      className="log-view"
      aria-label="Run log"
      tabIndex={0}
      onScroll={(event) => {
        const el = event.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
      }}
    >
      {lines.map((line) => (
        <li key={line.seq} className={`log-line log-${line.level}`} data-testid="log-line" data-seq={line.seq}>
          <span className="seq">#{line.seq}</span>
          <span className="time">{formatTime(line.createdAt)}</span>
          <span>
            {line.level !== "info" ? <strong>{line.level.toUpperCase()} </strong> : null}
            {line.message}
          </span>
        </li>
      ))}
    </ol>
  );
}
