-- AlterTable
ALTER TABLE "TrainingRun" ADD COLUMN     "comparison" JSONB,
ADD COLUMN     "split" JSONB;

-- CreateTable
CREATE TABLE "VersionTrainedRows" (
    "versionId" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "hashes" BYTEA NOT NULL,
    "seenCount" INTEGER NOT NULL,
    "seenHashes" BYTEA NOT NULL,

    CONSTRAINT "VersionTrainedRows_pkey" PRIMARY KEY ("versionId")
);

-- AddForeignKey
ALTER TABLE "VersionTrainedRows" ADD CONSTRAINT "VersionTrainedRows_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "ModelVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- CreateTable
CREATE TABLE "RunTestRow" (
    "runId" TEXT NOT NULL,
    "idx" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "predicted" TEXT NOT NULL,
    "scores" REAL[],

    CONSTRAINT "RunTestRow_pkey" PRIMARY KEY ("runId","idx")
);

-- CreateIndex
CREATE INDEX "RunTestRow_runId_label_predicted_idx" ON "RunTestRow"("runId", "label", "predicted");

-- AddForeignKey
ALTER TABLE "RunTestRow" ADD CONSTRAINT "RunTestRow_runId_fkey" FOREIGN KEY ("runId") REFERENCES "TrainingRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;
