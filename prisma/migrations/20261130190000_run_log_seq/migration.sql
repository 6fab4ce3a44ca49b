-- Each run numbers its log lines from its own counter, taken atomically with the line's insert
-- (lib/runs/reporter.ts appendRunLog), instead of max(seq) + 1, which two concurrent lines could
-- both take. Existing runs continue from their last line.
ALTER TABLE "TrainingRun" ADD COLUMN "logSeq" INTEGER NOT NULL DEFAULT 0;
UPDATE "TrainingRun" r SET "logSeq" = l.last FROM (SELECT "runId", max(seq) AS last FROM "RunLog" GROUP BY "runId") l WHERE l."runId" = r.id;
