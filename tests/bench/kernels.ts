// `npm run bench -- --only kernels`: the starter's training step on one thread, the WebAssembly SIMD
// kernels (lib/training/wasm-kernels.ts) against the JavaScript loops, on batches shaped like the
// scale bench's table: 31 texts (its batch size) of 60–200 token ids drawn Zipf-like (id k with
// weight 1/(k+1)) from 30,000, dim 64, 5 labels. Both steppers start from the same weights and take
// the same batches, alternating rounds; prints ms per step, the speed-up and the loss of each (the
// same loss: the same step up to f32 rounding).
import { newStaticMoments, StaticStepper } from "../../lib/training/static-step";
import { initStaticParams } from "../../lib/training/static-model";
import { copyParams } from "../../lib/training/train-static";
import { ADAMW_DEFAULTS } from "../../lib/training/optimizer";
import { mulberry32 } from "../../lib/training/rng";
import { KernelArena, kernelsModule } from "../../lib/training/wasm-kernels";

const V = 30_000;
const DIM = 64;
const C = 5;
const B = 31;
const TEXTS = 3100;
const ROUNDS = 5;

export async function runKernelsBench(o: { say: (line: string) => void }): Promise<Record<string, unknown>> {
  const rng = mulberry32(1);
  const cumulative = new Float64Array(V);
  let total = 0;
  for (let i = 0; i < V; i++) cumulative[i] = total += 1 / (i + 1);
  const zipf = () => {
    const u = rng() * total;
    let lo = 0;
    let hi = V - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const rows = Array.from({ length: TEXTS }, () => Int32Array.from({ length: 60 + Math.floor(rng() * 141) }, zipf));
  const labels = rows.map((_, i) => i % C);
  const init = initStaticParams(V, DIM, C, 1);
  init.weight.forEach((_, i) => (init.weight[i] = (rng() - 0.5) * 0.1));
  const cfg = { ...ADAMW_DEFAULTS, lr: 0.01 };
  const arena = new KernelArena(await kernelsModule(), init, { batchSize: B, maxBatchTokens: B * 200, maxTouchedRows: B * 200, threads: 1 });
  const pk = copyParams(init, arena.alloc);
  const wasm = new StaticStepper(pk, newStaticMoments(pk, arena.alloc), cfg, B, 0, undefined, { setup: arena.setup(), thread: 0 });
  const pj = copyParams(init);
  const js = new StaticStepper(pj, newStaticMoments(pj), cfg, B, 0);
  const steps = Math.floor(TEXTS / B);
  const ms = { wasm: [] as number[], js: [] as number[] };
  const loss = { wasm: 0, js: 0 };
  let t = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, stepper] of [["wasm", wasm], ["js", js]] as const) {
      const t0 = performance.now();
      for (let k = 0; k < steps; k++) loss[name] = stepper.step(rows.slice(k * B, (k + 1) * B), labels.slice(k * B, (k + 1) * B), 0.01, t + k + 1);
      ms[name].push((performance.now() - t0) / steps);
    }
    t += steps;
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const figures = { stepMsWasm: median(ms.wasm), stepMsJs: median(ms.js), speedup: median(ms.js) / median(ms.wasm), lossWasm: loss.wasm, lossJs: loss.js, rounds: ms };
  o.say(
    `  kernels: ${steps} steps × ${ROUNDS} rounds of ${B} texts: WebAssembly SIMD ${figures.stepMsWasm.toFixed(3)} ms/step, JavaScript ${figures.stepMsJs.toFixed(3)} ms/step ` +
      `(${figures.speedup.toFixed(2)}×); last loss ${loss.wasm.toFixed(5)} vs ${loss.js.toFixed(5)}`,
  );
  return figures;
}
