-- Sweeps: one run request trained at many points of a grid or of random draws, its runs grouped.
-- AlterTable
ALTER TABLE "TrainingRun" ADD COLUMN     "sweepId" TEXT;

-- CreateTable
CREATE TABLE "Sweep" (
    "id" TEXT NOT NULL,
    "modelId" TEXT NOT NULL,
    "request" JSONB NOT NULL,
    "spec" JSONB NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Sweep_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "TrainingRun_sweepId_idx" ON "TrainingRun"("sweepId");

-- CreateIndex
CREATE INDEX "Sweep_createdAt_idx" ON "Sweep"("createdAt");

-- AddForeignKey
ALTER TABLE "TrainingRun" ADD CONSTRAINT "TrainingRun_sweepId_fkey" FOREIGN KEY ("sweepId") REFERENCES "Sweep"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Sweep" ADD CONSTRAINT "Sweep_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE CASCADE ON UPDATE CASCADE;
