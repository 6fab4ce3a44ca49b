// Worker-thread entry of hogwild.ts. Plain .mjs for the reason given in
// lib/tokenizers/parallel-tokenize-worker.mjs: tsx registers its loader in the main thread only,
// so this entry registers it for its own thread, then imports the TypeScript.
import { parentPort, workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
const { serveHogwild } = await import("./hogwild-thread.ts");
serveHogwild(parentPort, workerData);
