// A steadier ETA than each loop's own estimate: the estimates of one phase are blended over time
// (an exponential moving average that counts down between estimates), so a slow first step or a
// burst of fast ones moves the shown ETA gradually instead of swinging it from minutes to seconds.

/** Seconds over which a new estimate takes about two thirds of its weight. */
export const ETA_TIME_CONSTANT_S = 8;

export interface EtaState {
  phase: string | undefined;
  /** the smoothed ETA at `atMs` */
  eta: number;
  atMs: number;
}

/**
 * The next smoothed ETA: the previous one counted down by the time passed, moved toward `sample`
 * by 1 − e^(−Δt/τ). A new phase (or no previous estimate) starts from the sample itself; a sample
 * that is not a number of seconds changes nothing.
 */
export function smoothEta(prev: EtaState | null, sample: number, phase: string | undefined, nowMs: number, tau = ETA_TIME_CONSTANT_S): EtaState | null {
  if (!Number.isFinite(sample) || sample < 0) return prev;
  if (!prev || prev.phase !== phase) return { phase, eta: sample, atMs: nowMs };
  const dt = Math.max(0, (nowMs - prev.atMs) / 1000);
  const predicted = Math.max(0, prev.eta - dt);
  const alpha = 1 - Math.exp(-dt / tau);
  return { phase, eta: predicted + alpha * (sample - predicted), atMs: nowMs };
}
