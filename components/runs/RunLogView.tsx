"use client";

import { useEffect, useLayoutEffect, useRef, useState } from "react";
import type { RunLogLine } from "@/lib/runs/types";
import { formatTime } from "../format";

interface RunLogViewProps {
  lines: RunLogLine[];
  /** Shown when there are no lines yet. */
  emptyText?: string;
}

const AT_BOTTOM_PX = 24;

/**
 * Log lines in seq order. Follows the tail while the view is scrolled to the bottom; scrolling up
 * pauses following (new lines are counted, not scrolled to), and scrolling back down or pressing
 * "Jump to latest" resumes it.
 */
export function RunLogView({ lines, emptyText = "No log lines yet." }: RunLogViewProps) {
  const ref = useRef<HTMLOListElement>(null);
  const [following, setFollowing] = useState(true);
  const [linesWhenPaused, setLinesWhenPaused] = useState(0);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el && following) el.scrollTop = el.scrollHeight;
  }, [lines, following]);

  // A log shorter than its box can't be scrolled: keep following.
  useEffect(() => {
    const el = ref.current;
    if (el && !following && el.scrollHeight <= el.clientHeight) setFollowing(true);
  }, [lines, following]);

  if (lines.length === 0) return <p className="muted">{emptyText}</p>;

  const newLines = following ? 0 : Math.max(0, lines.length - linesWhenPaused);

  return (
    <div className="log-wrap">
      <ol
        ref={ref}
        className="log-view"
        aria-label="Run log"
        tabIndex={0}
        data-testid="log-view"
        data-following={following}
        onScroll={(event) => {
          const el = event.currentTarget;
          const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < AT_BOTTOM_PX;
          if (atBottom !== following) {
            setFollowing(atBottom);
            if (!atBottom) setLinesWhenPaused(lines.length);
          }
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
      <div className="row small log-footer">
        <span className="muted" aria-live="polite" data-testid="log-follow-state">
          {following ? "Following new lines" : `Paused${newLines > 0 ? `: ${newLines} new line${newLines === 1 ? "" : "s"} below` : ""}`}
        </span>
        <span className="spacer" />
        <span className="muted">{lines.length} lines</span>
        {!following ? (
          <button type="button" className="btn btn-small" data-testid="log-resume" onClick={() => setFollowing(true)}>
            Jump to latest
          </button>
        ) : null}
      </div>
    </div>
  );
}
