// Where a worker runs its ONNX sessions. WORKER_DEVICE=cuda asks for onnxruntime-node's CUDA
// execution provider, which exists only where its CUDA files were installed
// (`ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci` on a machine with CUDA 12). The worker probes it once
// at start on a one-node graph; when it cannot start, the worker says why in one line and uses the
// CPU. The device it ends up with is recorded on its row (the Overview lists it) and used by every
// encoder session it opens; the web process always serves on the CPU.
import * as ort from "onnxruntime-node";
import { DT, modelOf, node, serializeModel, valueInfo } from "./proto";

export type Device = "cpu" | "cuda";

let processDevice: Device = "cpu";

/** The device this process's sessions use (set once by a worker after probing; "cpu" otherwise). */
export function currentDevice(): Device {
  return processDevice;
}

export function executionProviders(device: Device): string[] {
  return device === "cuda" ? ["cuda", "cpu"] : ["cpu"];
}

/** y = Identity(x): the smallest graph a provider can be asked to take. */
function probeModel(): Uint8Array {
  return serializeModel(modelOf({ name: "probe", node: [node("Identity", ["x"], ["y"])], input: [valueInfo("x", DT.FLOAT, [1])], output: [valueInfo("y", DT.FLOAT, [1])] }));
}

/**
 * The device to use for `wanted`: "cuda" only if a session on the CUDA provider starts here. Sets
 * this process's device; `note` says why CUDA was not used when it was asked for.
 */
export async function useDevice(wanted: Device): Promise<{ device: Device; note: string | null }> {
  processDevice = "cpu";
  if (wanted === "cpu") return { device: "cpu", note: null };
  // onnxruntime prints the provider's load failure itself (several lines, in colour) before the
  // error reaches us: its process-wide log level is set once, at its first session, so a worker
  // that asks for CUDA keeps onnxruntime's own printing to fatal errors; errors still throw.
  ort.env.logLevel = "fatal";
  try {
    const session = await ort.InferenceSession.create(probeModel(), { executionProviders: ["cuda"] });
    await session.release();
    processDevice = "cuda";
    return { device: "cuda", note: null };
  } catch (err) {
    const reason = ((err as Error).message ?? String(err)).split("\n")[0].replace(/\u001b\[[0-9;]*m/g, "").slice(0, 300);
    return {
      device: "cpu",
      note: `WORKER_DEVICE=cuda, but onnxruntime-node's CUDA provider does not start here (${reason}); encoding on the CPU. Install it with ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci on a machine with CUDA 12.`,
    };
  }
}
