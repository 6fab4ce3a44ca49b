import { test } from "node:test";
import assert from "node:assert/strict";
import { probeTemperature } from "../../lib/kinds/calibrate";
import { CALIBRATION_SLICE } from "../../lib/training/calibration-slice";
import { mulberry32 } from "../../lib/training/rng";

// The shared calibration step: a probe trained without the slice, T fitted on the probe's slice logits.

function reporter() {
  const lines: { message: string; level?: string }[] = [];
  return { lines, log: async (message: string, level?: "info" | "warn" | "error") => void lines.push({ message, level }) };
}

/** Rows whose input is a "true" logit margin z and whose label is drawn with p(1) = sigmoid(z); a probe that reports 4·z is 4× over-confident. */
function rows(n: number, seed: number) {
  const rng = mulberry32(seed);
  const xs: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = (rng() - 0.5) * 8;
    xs.push(z);
    labels.push(rng() < 1 / (1 + Math.exp(-z)) ? 1 : 0);
  }
  return { xs, labels };
}

test("probeTemperature trains the probe on the rows outside the slice and fits T on the slice (≈ the probe's over-confidence)", async () => {
  const { xs, labels } = rows(5000, 1);
  const r = reporter();
  let probeRows = 0;
  const stats = await probeTemperature(r, {
    xs,
    labels,
    labelNames: ["a", "b"],
    numLabels: 2,
    seed: 3,
    trainProbe: async (fit) => {
      probeRows = fit.length;
      return (slice) => slice.flatMap((z) => [0, 4 * z]);
    },
  });
  assert.ok(Math.abs(stats.calibrationRows - 500) <= 2, `${stats.calibrationRows} rows held out`);
  assert.equal(probeRows + stats.calibrationRows, 5000, "the probe never sees the slice");
  assert.ok(Math.abs(stats.calibrationTemperature - 4) < 0.8, `T ${stats.calibrationTemperature}`);
  assert.match(r.lines.at(-1)!.message, /^Calibration: temperature \d+\.\d\d fitted on \d+ held-out training rows; there ECE \d\.\d{3} → \d\.\d{3}, NLL /);
});

test("probeTemperature with too few training rows trains no probe, keeps T = 1 and warns", async () => {
  const { xs, labels } = rows(CALIBRATION_SLICE.minTrainRows - 1, 2);
  const r = reporter();
  const stats = await probeTemperature(r, {
    xs,
    labels,
    labelNames: ["a", "b"],
    numLabels: 2,
    seed: 3,
    trainProbe: async () => assert.fail("no probe without a slice"),
  });
  assert.deepEqual(stats, { calibrationTemperature: 1, calibrationRows: 0 });
  assert.equal(r.lines.length, 1);
  assert.equal(r.lines[0].level, "warn");
});
