import { test } from "node:test";
import assert from "node:assert/strict";
import { currentDevice, executionProviders, useDevice } from "../../lib/onnx/device";
import { cudaProviderInstalled } from "../helpers/cuda";

// WORKER_DEVICE (lib/onnx/device.ts): the CUDA provider is probed on a one-node graph; where its
// files are not installed (npm ci with onnxruntime-node-install=skip, as here) the worker falls
// back to the CPU with a note naming the fix.
const cudaInstalled = cudaProviderInstalled;

test("useDevice: cpu is cpu; cuda is cuda only where its provider starts, else cpu with one note", async () => {
  assert.deepEqual(await useDevice("cpu"), { device: "cpu", note: null });
  assert.equal(currentDevice(), "cpu");
  const r = await useDevice("cuda");
  assert.equal(r.device, cudaInstalled ? "cuda" : "cpu");
  assert.equal(currentDevice(), r.device);
  if (!cudaInstalled) {
    assert.match(r.note!, /^WORKER_DEVICE=cuda, but onnxruntime-node's CUDA provider does not start here \(.+\); encoding on the CPU\. Install it with ONNXRUNTIME_NODE_INSTALL=cuda12/);
    assert.doesNotMatch(r.note!, /\u001b|\n/, "one plain line");
  }
  await useDevice("cpu");
  assert.equal(currentDevice(), "cpu");
  assert.deepEqual(executionProviders("cuda"), ["cuda", "cpu"]);
  assert.deepEqual(executionProviders("cpu"), ["cpu"]);
});
