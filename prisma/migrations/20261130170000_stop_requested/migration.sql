-- "Stop and keep the best so far": the worker ends training, keeps the best weights, evaluates and saves them.
ALTER TABLE "TrainingRun" ADD COLUMN "stopRequested" BOOLEAN NOT NULL DEFAULT false;
