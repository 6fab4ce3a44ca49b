// The phases a run goes through and where each sits on its overall progress bar. A run has only the
// phases it will go through (no "evaluating-old" when nothing old is scored; "tokenizing" for the
// starter, "encoding" for an encoder), and each takes a share of the bar by its usual weight, so the
// bar moves through them without jumps.

export const PHASES = ["fetching", "evaluating-old", "tokenizing", "encoding", "training", "evaluating-new", "saving"] as const;
export type Phase = (typeof PHASES)[number];

/** Each phase's usual share of a run's time (relative; only the phases of one run are compared). */
const WEIGHT: Record<Phase, number> = {
  fetching: 1,
  "evaluating-old": 1,
  tokenizing: 2,
  encoding: 3,
  training: 5,
  "evaluating-new": 1,
  saving: 0.5,
};

export type Spans = Partial<Record<Phase, readonly [number, number]>>;

/** Each phase's [start, end] on the bar (0..1), in the order given, sized by weight. */
export function phaseSpans(phases: readonly Phase[]): Spans {
  const total = phases.reduce((s, p) => s + WEIGHT[p], 0);
  const spans: Spans = {};
  let start = 0;
  for (const p of phases) {
    const end = start + WEIGHT[p] / total;
    spans[p] = [start, end];
    start = end;
  }
  return spans;
}

/** The phases of a run: fetching, the kind's own (`kindPhases`, in its order), then saving. */
export function runPhases(kindPhases: readonly Phase[], o: { scoresOld: boolean }): Phase[] {
  return ["fetching", ...kindPhases.filter((p) => o.scoresOld || p !== "evaluating-old"), "saving"];
}

/**
 * A run's plan: `at(phase, fraction)` is the overall progress when `fraction` of `phase` is done.
 * `use` replaces the phases (once it is known whether an old model is scored); a phase that is not
 * in the plan keeps the bar where the plan's previous phase ended.
 */
export function createPhasePlan(phases: readonly Phase[] = PHASES) {
  let current = [...phases];
  let spans = phaseSpans(current);
  return {
    use(next: readonly Phase[]): void {
      current = [...next];
      spans = phaseSpans(current);
    },
    phases: (): Phase[] => [...current],
    at(phase: Phase, fraction: number): number {
      const span = spans[phase] ?? [endBefore(phase), endBefore(phase)];
      const [a, b] = span;
      return a + (b - a) * Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
    },
  };
  /** Where the last planned phase before `phase` (in PHASES order) ends; 0 when none. */
  function endBefore(phase: Phase): number {
    let end = 0;
    for (const p of PHASES) {
      if (p === phase) break;
      end = spans[p]?.[1] ?? end;
    }
    return end;
  }
}

export type PhasePlan = ReturnType<typeof createPhasePlan>;
