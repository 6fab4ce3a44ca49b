// Fault injection for the fault tests: WORKER_FAILPOINT=<point>:<action> makes the worker SIGKILL
// itself ("kill") or SIGSTOP itself ("pause", until someone sends SIGCONT) when it reaches <point>.
// Points: "phase:<phase>" (right after the run's phase is written, e.g. phase:training),
// "save:locked" (the save transaction holds the run row), "save:before-commit" (version, artifact
// and succeeded run written, not yet committed), "save:after-commit", "shards:created" (an encoder
// run's owner has queued its encode shards), "shard:claimed" (an idle worker took another run's shard).
// Unset (as in production), every call is a no-op. Only the worker process reaches these points.

const ACTIONS = { kill: "SIGKILL", pause: "SIGSTOP" } as const;

function parse(spec: string | undefined): { point: string; signal: NodeJS.Signals } | null {
  if (!spec) return null;
  const i = spec.lastIndexOf(":");
  const action = spec.slice(i + 1) as keyof typeof ACTIONS;
  if (i <= 0 || !(action in ACTIONS)) throw new Error(`WORKER_FAILPOINT must be <point>:kill or <point>:pause, not "${spec}"`);
  return { point: spec.slice(0, i), signal: ACTIONS[action] };
}

let armed = parse(process.env.WORKER_FAILPOINT);

/** Fires once per process: a process resumed after "pause" goes on past later passes. */
export function failpoint(point: string): void {
  if (armed?.point !== point) return;
  const { signal } = armed;
  armed = null;
  // Written synchronously (stdout is a pipe or file) so a test can tell where the process stopped.
  process.stdout.write(`failpoint ${point}: ${signal}\n`);
  process.kill(process.pid, signal);
}
