-- AlterTable
ALTER TABLE "TrainingRun" ADD COLUMN     "comparison" JSONB,
ADD COLUMN     "split" JSONB;

-- CreateTable
CREATE TABLE "VersionTrainedRows" (
    "versionId" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "hashes" BYTEA NOT NULL,

    CONSTRAINT "VersionTrainedRows_pkey" PRIMARY KEY ("versionId")
);

-- AddForeignKey
ALTER TABLE "VersionTrainedRows" ADD CONSTRAINT "VersionTrainedRows_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "ModelVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;
