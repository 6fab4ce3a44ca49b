import type { ChildProcess } from "node:child_process";
import { exited, terminate } from "./terminate";

// One long-running child process kept alive: when it exits on its own it is started again after a
// back-off delay (1 s doubling to 30 s, back to 1 s once a child has stayed up for a minute).
// `npm start` runs the web server and the worker this way, so that one crashing leaves the other
// serving.

export interface Backoff {
  initialMs: number;
  maxMs: number;
  /** a child that stayed up this long starts the next back-off from initialMs again */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 1000, maxMs: 30_000, resetAfterMs: 60_000 };

/** The delay before the next restart, given the previous delay (null: none yet) and how long the child was up. */
export function nextRestartDelay(previousMs: number | null, upMs: number, b: Backoff = DEFAULT_BACKOFF): number {
  if (previousMs === null || upMs >= b.resetAfterMs) return b.initialMs;
  return Math.min(previousMs * 2, b.maxMs);
}

export interface SupervisedChild {
  readonly name: string;
  /** the current process (null while waiting to restart or after stop) */
  current(): ChildProcess | null;
  /** how many times a child exited on its own */
  exits(): number;
  /** No more restarts; SIGTERM the current child, SIGKILL after graceMs. */
  stop(graceMs: number): Promise<void>;
  /** No more restarts; SIGKILL the current child now. */
  kill(): Promise<void>;
}

export function superviseChild(opts: {
  name: string;
  start: () => ChildProcess;
  log: (line: string) => void;
  backoff?: Backoff;
}): SupervisedChild {
  const backoff = opts.backoff ?? DEFAULT_BACKOFF;
  let child: ChildProcess | null = null;
  let stopped = false;
  let exitCount = 0;
  let delay: number | null = null;
  let restartTimer: NodeJS.Timeout | null = null;

  const launch = () => {
    restartTimer = null;
    if (stopped) return;
    const c = opts.start();
    const startedAt = Date.now();
    child = c;
    if (exitCount > 0) opts.log(`Restarted the ${opts.name} (pid ${c.pid})`);
    c.once("exit", (code, signal) => {
      if (child === c) child = null;
      if (stopped) return;
      exitCount++;
      delay = nextRestartDelay(delay, Date.now() - startedAt, backoff);
      opts.log(`The ${opts.name} (pid ${c.pid}) exited (${signal ?? `code ${code}`}); restarting it in ${formatDelay(delay)}`);
      restartTimer = setTimeout(launch, delay);
    });
  };
  launch();

  const halt = () => {
    stopped = true;
    if (restartTimer) clearTimeout(restartTimer);
    restartTimer = null;
    return child;
  };
  return {
    name: opts.name,
    current: () => child,
    exits: () => exitCount,
    async stop(graceMs) {
      const c = halt();
      if (c) await terminate(c, { graceMs, onEscalate: () => opts.log(`The ${opts.name} did not stop within ${formatDelay(graceMs)}; killing it`) });
    },
    async kill() {
      const c = halt();
      if (!c) return;
      c.kill("SIGKILL");
      await exited(c);
    },
  };
}

function formatDelay(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
