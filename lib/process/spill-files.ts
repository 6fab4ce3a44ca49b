import { readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

// The files a run keeps under DATA_DIR/spill while it works (a big table's texts,
// lib/runs/text-spill.ts; its token ids, lib/training/token-spill.ts). Each file's name says whose it
// is ("<kind>-<host>-<pid>-<tag>.bin"): a worker removes its own when the run ends, however it ends;
// a worker that was killed runs no finally, so the next worker started on this machine removes the
// files of processes that no longer run (removeDeadSpills).

/** The kinds of spill file, as their names begin. */
export const SPILL_KINDS = ["texts", "ids"] as const;
export type SpillKind = (typeof SPILL_KINDS)[number];

/** The folder of spill files under a data folder. */
export function spillDir(dataDir: string): string {
  return path.join(dataDir, "spill");
}

/** The host as it appears in file names: no "-", so that the pid after it is found. */
const hostPart = () => os.hostname().replace(/[^A-Za-z0-9_.]/g, "_");

/** "<kind>-<host>-<pid>-<tag>.bin" in `dir`: the host and pid say whose it is. */
export function spillFileName(dir: string, kind: SpillKind, tag: string): string {
  return path.join(dir, `${kind}-${hostPart()}-${process.pid}-${tag.replace(/[^A-Za-z0-9_.-]/g, "_")}.bin`);
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the spill files this machine's dead processes left in `dir`; files of live processes
 * (other workers), of other hosts and anything else are kept. Returns the names removed.
 */
export function removeDeadSpills(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const owner = SPILL_KINDS.map((k) => `${k}-${hostPart()}-`).find((p) => name.startsWith(p));
    if (!owner || !name.endsWith(".bin")) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(owner.length))?.[1]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || processRuns(pid)) continue;
    rmSync(path.join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}
