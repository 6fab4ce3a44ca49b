import type { RandomSpec, SweepRange, SweepValue } from "./spec";
import { mulberry32 } from "../training/rng";

// The points of a sweep: the cartesian product of a grid, or seeded random draws. Each point keeps
// where each of its values came from ("grid.learning_rate[2]", "random.learning_rate"), so that a
// value the run request refuses is named by its place in the spec and by its point.

export interface SweepPoint {
  /** argument → value, merged over the sweep's request */
  args: Record<string, SweepValue>;
  /** argument → where its value is in the spec */
  source: Record<string, string>;
  /** "point 3 (learning_rate=0.1, num_train_epochs=2)" */
  label: string;
}

const describe = (n: number, args: Record<string, SweepValue>) =>
  `point ${n} (${Object.entries(args)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(", ")})`;

/** How many points a grid makes (without making them). */
export const gridSize = (grid: Record<string, SweepValue[]>) => Object.values(grid).reduce((n, values) => n * values.length, 1);

/** The grid's cartesian product, the first argument varying slowest. */
export function gridPoints(grid: Record<string, SweepValue[]>): SweepPoint[] {
  let combos: { args: Record<string, SweepValue>; source: Record<string, string> }[] = [{ args: {}, source: {} }];
  for (const [name, values] of Object.entries(grid)) {
    combos = combos.flatMap((c) => values.map((v, i) => ({ args: { ...c.args, [name]: v }, source: { ...c.source, [name]: `grid.${name}[${i}]` } })));
  }
  return combos.map((c, i) => ({ ...c, label: describe(i + 1, c.args) }));
}

function draw(spec: SweepRange | SweepValue[], u: number): SweepValue {
  if (Array.isArray(spec)) return spec[Math.min(spec.length - 1, Math.floor(u * spec.length))]!;
  const x = spec.log ? Math.exp(Math.log(spec.min) + u * (Math.log(spec.max) - Math.log(spec.min))) : spec.min + u * (spec.max - spec.min);
  // Four significant digits read well in a table and are plenty for a search.
  return spec.integer ? Math.round(x) : Number(x.toPrecision(4));
}

/** `trials` points drawn from the spec's ranges and choices; the same spec (seed included) gives the same points. */
export function randomPoints(spec: RandomSpec): SweepPoint[] {
  const next = mulberry32(spec.seed); // the same seed gives the same draws everywhere
  return Array.from({ length: spec.trials }, (_, i) => {
    const args: Record<string, SweepValue> = {};
    const source: Record<string, string> = {};
    for (const [name, s] of Object.entries(spec.args)) {
      args[name] = draw(s, next());
      source[name] = `random.${name}`;
    }
    return { args, source, label: describe(i + 1, args) };
  });
}
