import { readFileSync } from "node:fs";

// A process's peak resident memory (VmHWM in /proc/<pid>/status, Linux): one small file read,
// cheap enough for a log line at the end of a phase.

/** The peak resident set of a process (default this one) since it started, in bytes; null where /proc does not tell (or it is gone). */
export function peakRssBytes(pid: number | "self" = "self"): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** "; peak memory so far 0.82 GiB", or "" where it cannot be read: for a log line. */
export function peakRssNote(): string {
  const bytes = peakRssBytes();
  return bytes === null ? "" : `; peak memory so far ${(bytes / 2 ** 30).toFixed(2)} GiB`;
}
