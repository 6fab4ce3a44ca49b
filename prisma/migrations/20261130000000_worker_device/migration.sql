-- What each worker encodes on: "cpu", or "cuda" when WORKER_DEVICE=cuda and onnxruntime-node's CUDA provider starts.
ALTER TABLE "Worker" ADD COLUMN "device" TEXT NOT NULL DEFAULT 'cpu';
