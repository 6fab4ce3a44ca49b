import { existsSync } from "node:fs";
import path from "node:path";

/** Whether onnxruntime-node's CUDA provider files were installed (`ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci`); npm ci here skips them. */
export const cudaProviderInstalled = existsSync(path.join(process.cwd(), "node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so"));
