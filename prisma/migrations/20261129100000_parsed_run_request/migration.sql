-- AlterTable
ALTER TABLE "TrainingRun" ADD COLUMN     "parsedRequest" JSONB;
