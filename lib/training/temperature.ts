// Temperature scaling (Guo et al. 2017): one scalar T > 0 divides every logit, softmax(z / T). T is
// fitted on held-out rows by minimising their mean negative log-likelihood; it leaves every argmax,
// hence accuracy, unchanged. The NLL is convex in β = 1/T (logits linear in β, log-sum-exp convex),
// so it is unimodal in log T and a golden-section search over log T finds its minimum, deterministically.
import { calibrationOf } from "./calibration-error";

/** The range searched: wide enough for a model whose logits are ~50 apart, narrow enough that a separable slice cannot push T to 0. */
export const TEMPERATURE_RANGE = { min: 0.05, max: 100 } as const;

/** Mean −log softmax(logits / T)[label] over the rows of a B × C logits matrix. */
export function temperatureNll(logits: ArrayLike<number>, labels: ArrayLike<number>, numLabels: number, temperature: number): number {
  const n = labels.length;
  if (n === 0) return 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = i * numLabels;
    let max = -Infinity;
    for (let c = 0; c < numLabels; c++) max = Math.max(max, logits[o + c] / temperature);
    let z = 0;
    for (let c = 0; c < numLabels; c++) z += Math.exp(logits[o + c] / temperature - max);
    total += max + Math.log(z) - logits[o + labels[i]] / temperature;
  }
  return total / n;
}

export interface TemperatureFit {
  temperature: number;
  /** mean NLL at T = 1 and at the fitted T */
  nllBefore: number;
  nllAfter: number;
}

/**
 * The T in TEMPERATURE_RANGE minimising temperatureNll on (logits, labels): golden-section search over
 * log T to a relative precision of ~1e-6. T = 1 is kept when it is (within rounding) as good, so that a
 * model that is already calibrated is left exactly as it is.
 */
export function fitTemperature(logits: ArrayLike<number>, labels: ArrayLike<number>, numLabels: number): TemperatureFit {
  if (logits.length !== labels.length * numLabels) throw new Error(`fitTemperature: ${logits.length} logits for ${labels.length} rows of ${numLabels} labels`);
  const f = (logT: number) => temperatureNll(logits, labels, numLabels, Math.exp(logT));
  const nllBefore = f(0);
  if (labels.length === 0) return { temperature: 1, nllBefore, nllAfter: nllBefore };
  const phi = (Math.sqrt(5) - 1) / 2;
  let a = Math.log(TEMPERATURE_RANGE.min);
  let b = Math.log(TEMPERATURE_RANGE.max);
  let x1 = b - phi * (b - a);
  let x2 = a + phi * (b - a);
  let f1 = f(x1);
  let f2 = f(x2);
  while (b - a > 1e-6) {
    if (f1 <= f2) {
      b = x2;
      x2 = x1;
      f2 = f1;
      x1 = b - phi * (b - a);
      f1 = f(x1);
    } else {
      a = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + phi * (b - a);
      f2 = f(x2);
    }
  }
  const logT = (a + b) / 2;
  const nllAfter = f(logT);
  if (!(nllAfter < nllBefore - 1e-12)) return { temperature: 1, nllBefore, nllAfter: nllBefore };
  return { temperature: Math.exp(logT), nllBefore, nllAfter };
}

/** Softmax rows of logits / T. */
export function scaledProbabilities(logits: ArrayLike<number>, numLabels: number, temperature: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let o = 0; o < logits.length; o += numLabels) {
    const row = new Float64Array(numLabels);
    let max = -Infinity;
    for (let c = 0; c < numLabels; c++) max = Math.max(max, logits[o + c] / temperature);
    let z = 0;
    for (let c = 0; c < numLabels; c++) z += row[c] = Math.exp(logits[o + c] / temperature - max);
    for (let c = 0; c < numLabels; c++) row[c] /= z;
    out.push(row);
  }
  return out;
}

/** A final linear layer (logits = x · weight + bias): dividing both by T gives logits / T with no change to the graph. */
export interface FinalLayer {
  weight: Float32Array;
  bias: Float32Array;
}

/** The layer with weight and bias divided by T (new arrays; the input is not modified). */
export function foldTemperature<L extends FinalLayer>(layer: L, temperature: number): L {
  if (!(temperature > 0 && Number.isFinite(temperature))) throw new RangeError(`temperature must be a positive number, got ${temperature}`);
  return { ...layer, weight: layer.weight.map((w) => w / temperature), bias: layer.bias.map((b) => b / temperature) };
}

export interface Calibration extends TemperatureFit {
  /** held-out rows the temperature was fitted on */
  rows: number;
  /** expected calibration error on those rows at T = 1 and at the fitted T */
  eceBefore: number;
  eceAfter: number;
}

/** Fits T on held-out logits and measures the ECE it gives there, before and after. */
export function calibrateLogits(logits: ArrayLike<number>, labels: ArrayLike<number>, numLabels: number): Calibration {
  const fit = fitTemperature(logits, labels, numLabels);
  return {
    ...fit,
    rows: labels.length,
    eceBefore: calibrationOf(labels, scaledProbabilities(logits, numLabels, 1)).ece,
    eceAfter: calibrationOf(labels, scaledProbabilities(logits, numLabels, fit.temperature)).ece,
  };
}

/** The run log's line about a calibration. */
export function describeCalibration(c: Calibration, views?: string): string {
  return (
    `Calibration: temperature ${c.temperature.toFixed(2)} fitted on ${c.rows} held-out training rows${views ? ` (${views})` : ""}; ` +
    `there ECE ${c.eceBefore.toFixed(3)} → ${c.eceAfter.toFixed(3)}, NLL ${c.nllBefore.toFixed(3)} → ${c.nllAfter.toFixed(3)}; folded into the final layer`
  );
}
