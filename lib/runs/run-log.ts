import type { PrismaClient } from "../db/generated/client";

/**
 * Appends a line to a run's log. Its number comes from the run's own counter, taken in the same
 * statement (the run's row is locked until the statement's transaction ends): lines logged at
 * once, from several places or inside a transaction, each get their own number, in the order
 * they were written.
 */
export async function appendRunLog(db: Pick<PrismaClient, "$executeRaw">, runId: string, message: string, level = "info"): Promise<void> {
  const n = await db.$executeRaw`
    WITH next AS (UPDATE "TrainingRun" SET "logSeq" = "logSeq" + 1 WHERE id = ${runId} RETURNING "logSeq")
    INSERT INTO "RunLog" ("runId", seq, level, message) SELECT ${runId}, "logSeq", ${level}, ${message} FROM next`;
  if (n !== 1) throw new Error(`run ${runId}: no such run to log to`);
}
