import path from "node:path";

// How a worker process is started: `node --import tsx worker/index.ts`, with transformers.js
// imported first by Node's own loader. Loaded through tsx's loader, transformers.js costs the process
// about 0.12 GiB more memory (0.23 against 0.11 GiB, measured with --import tsx on the same
// import); the TypeScript's later import of it finds it loaded. The same holds in the tokenize
// pool's worker threads (lib/tokenizers/parallel-tokenize-worker.mjs).

/** The node arguments that run the worker of the project at `root`. */
export function workerProcessArgs(root: string): string[] {
  return ["--import", "@huggingface/transformers", "--import", "tsx", path.join(root, "worker", "index.ts")];
}
