-- Encode shards: slices of one encoder run's uncached texts that any idle worker may encode.
CREATE TABLE "EncodeShard" (
    "id" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "spec" JSONB NOT NULL,
    "texts" TEXT[],
    "rows" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "workerId" TEXT,
    "heartbeatAt" TIMESTAMP(3),
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "seconds" DOUBLE PRECISION,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "EncodeShard_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "EncodeShard_runId_index_key" ON "EncodeShard"("runId", "index");
CREATE INDEX "EncodeShard_status_createdAt_idx" ON "EncodeShard"("status", "createdAt");
ALTER TABLE "EncodeShard" ADD CONSTRAINT "EncodeShard_runId_fkey" FOREIGN KEY ("runId") REFERENCES "TrainingRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;
