import type { ChildProcess } from "node:child_process";

/** Resolves when `child` has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
  });
}

/**
 * Sends `signal` (SIGTERM by default) and, if `child` has not exited after `graceMs`, SIGKILL;
 * resolves once it has exited. `onEscalate` is told when SIGKILL was needed.
 */
export async function terminate(
  child: ChildProcess,
  opts: { graceMs: number; signal?: NodeJS.Signals; onEscalate?: () => void },
): Promise<void> {
  const done = exited(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(opts.signal ?? "SIGTERM");
  const timer = setTimeout(() => {
    opts.onEscalate?.();
    child.kill("SIGKILL");
  }, opts.graceMs);
  await done;
  clearTimeout(timer);
}
