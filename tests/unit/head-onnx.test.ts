import { test } from "node:test";
import assert from "node:assert/strict";
import * as ort from "onnxruntime-node";
import onnxProto from "onnx-proto";
import { fillGaussian, mulberry32 } from "../../lib/training/rng";
import { headLogits, initHead, type HeadParams, type HeadSpec } from "../../lib/training/head-model";
import { HEAD_INPUT, HEAD_OUTPUT, readHeadOnnx, writeHeadOnnx } from "../../lib/kinds/encoder/head-onnx";
import { decodeFloat16, encodeFloat16, fromHalfBits, toHalfBits } from "../../lib/encoders/f16";

function randomHead(spec: HeadSpec, seed: number): HeadParams {
  const h = initHead(spec, seed);
  const rng = mulberry32(seed + 1);
  fillGaussian(h.out.weight, 0.5, rng);
  fillGaussian(h.out.bias, 0.5, rng);
  if (h.hidden) {
    fillGaussian(h.hidden.weight, 0.3, rng);
    fillGaussian(h.hidden.bias, 0.5, rng);
  }
  return h;
}

const specs: HeadSpec[] = [
  { type: "linear", inputSize: 48, numLabels: 3 },
  { type: "mlp", inputSize: 48, numLabels: 4, hiddenSize: 32, activation: "gelu" },
  { type: "mlp", inputSize: 48, numLabels: 2, hiddenSize: 16, activation: "relu" },
];

test("onnxruntime on the head graph gives the JS forward's logits within 1e-5", async () => {
  for (const spec of specs) {
    const h = randomHead(spec, 11);
    const B = 7;
    const x = fillGaussian(new Float32Array(B * spec.inputSize), 1, mulberry32(5));
    const session = await ort.InferenceSession.create(writeHeadOnnx(h), { graphOptimizationLevel: "all" });
    try {
      assert.deepEqual(session.inputNames, [HEAD_INPUT]);
      assert.deepEqual(session.outputNames, [HEAD_OUTPUT]);
      const out = await session.run({ [HEAD_INPUT]: new ort.Tensor("float32", x, [B, spec.inputSize]) });
      assert.deepEqual(out.logits.dims, [B, spec.numLabels]);
      const got = out.logits.data as Float32Array;
      const want = headLogits(h, x);
      for (let i = 0; i < want.length; i++) {
        assert.ok(Math.abs(got[i] - want[i]) <= 1e-5 * Math.max(1, Math.abs(want[i])), `${spec.type}/${spec.activation} logit ${i}: ${got[i]} vs ${want[i]}`);
      }
    } finally {
      await session.release();
    }
  }
});

test("readHeadOnnx returns exactly the written head; every name is head/-prefixed except features and logits", () => {
  for (const spec of specs) {
    const h = randomHead(spec, 2);
    const bytes = writeHeadOnnx(h);
    assert.deepEqual(readHeadOnnx(bytes), h);
    const graph = onnxProto.onnx.ModelProto.decode(bytes).graph!;
    const names = [
      ...graph.initializer!.map((t) => t.name!),
      ...graph.node!.flatMap((n) => [n.name!, ...n.input!, ...n.output!]),
    ].filter((n) => n !== HEAD_INPUT && n !== HEAD_OUTPUT);
    for (const n of names) assert.ok(n.startsWith("head/"), n);
  }
});

test("float16 codec: exact values, round-to-nearest-even, subnormals, overflow, specials", () => {
  // exactly representable values survive
  const exact = [0, 1, -1, 0.5, 65504, -65504, 2 ** -14, 2 ** -24, 3 * 2 ** -24, 1024 + 1, 0.333251953125];
  assert.deepEqual([...decodeFloat16(encodeFloat16(exact))], exact);
  // ties to even: 1 + 2^-11 lies halfway between 1 and 1 + 2^-10 → 1 (even); 1 + 3·2^-11 → 1 + 2^-9
  assert.equal(fromHalfBits(toHalfBits(1 + 2 ** -11)), 1);
  assert.equal(fromHalfBits(toHalfBits(1 + 3 * 2 ** -11)), 1 + 2 ** -9);
  assert.equal(fromHalfBits(toHalfBits(1 + 2 ** -11 + 2 ** -20)), 1 + 2 ** -10, "above the tie rounds up");
  // subnormal ties: 2^-25 (half the smallest subnormal) → 0; 3·2^-25 → 2·2^-24 (even)
  assert.equal(fromHalfBits(toHalfBits(2 ** -25)), 0);
  assert.equal(fromHalfBits(toHalfBits(3 * 2 ** -25)), 2 * 2 ** -24);
  assert.equal(fromHalfBits(toHalfBits(2 ** -25 + 2 ** -35)), 2 ** -24);
  // rounding from the largest subnormal into the smallest normal
  assert.equal(fromHalfBits(toHalfBits(2 ** -14 - 2 ** -26)), 2 ** -14);
  // overflow: 65520 is halfway between 65504 and 65536 (not representable) → Inf; just below stays
  assert.equal(fromHalfBits(toHalfBits(65519)), 65504);
  assert.equal(fromHalfBits(toHalfBits(65520)), Infinity);
  assert.equal(fromHalfBits(toHalfBits(-1e9)), -Infinity);
  assert.ok(Number.isNaN(fromHalfBits(toHalfBits(NaN))));
  assert.ok(Object.is(fromHalfBits(toHalfBits(-0)), -0));
  // all 63,488 finite halves round-trip bit-exactly
  for (let h = 0; h < 65536; h++) {
    if (((h >> 10) & 0x1f) === 0x1f) continue;
    assert.equal(toHalfBits(fromHalfBits(h)), h);
  }
  // random floats: relative error ≤ 2^-11 in the normal range
  const rng = mulberry32(1);
  const xs = fillGaussian(new Float32Array(10000), 3, rng);
  const back = decodeFloat16(encodeFloat16(xs));
  for (let i = 0; i < xs.length; i++) {
    if (Math.abs(xs[i]) < 2 ** -14) continue;
    assert.ok(Math.abs(back[i] - xs[i]) <= Math.abs(xs[i]) * 2 ** -11, `${xs[i]} → ${back[i]}`);
  }
});
