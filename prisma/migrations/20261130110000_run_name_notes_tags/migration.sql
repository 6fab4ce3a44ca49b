-- What people call a run and what they note about it, edited on its page (PATCH /api/runs/:id)
-- or given when it is queued; the Runs list searches name and notes and filters by tag.
ALTER TABLE "TrainingRun" ADD COLUMN "name" TEXT, ADD COLUMN "notes" TEXT, ADD COLUMN "tags" TEXT[];
