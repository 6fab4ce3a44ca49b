import type { Prisma } from "../../db/generated/client";
import type { ProbabilityRows } from "../../training/probability-rows";
import { artifactRows, placeLocalCopy, readArtifactDir } from "../../versions/store";
import { CancelledError } from "../../errors";
import type { Metrics } from "../../training/types";
import { enqueueRunFinished } from "../../webhooks/outbox";
import { failpoint } from "../failpoint";
import { saveVersionRows, type VersionRows } from "../../rows/version-rows";
import type { RowSet } from "../row-table";
import { saveTestRows } from "../test-rows";
import { lockRun, notifyRunEvent } from "../queue";
import { appendRunLog } from "../run-log";
import type { RunContext } from "../run-context";

// Saving a run's candidate is one transaction fenced by the worker's claim on the run: it locks the
// run row and goes on only while the run is still this worker's, still running, and not asked to
// cancel; then it writes the artifact's bytes, the version and the succeeded run together. So a run
// that was reaped or cancelled never gains a version, a worker killed mid-save leaves nothing
// behind, and neither the reaper nor a cancel can change a run once its save has committed (they
// wait for the row lock, then find it succeeded). The local copy under models/versions/<hash> is
// made only after the commit.

export interface CandidateRecord {
  modelId: string;
  labels: string[];
  parentId: string | null;
  request: Record<string, unknown>;
  metricsOld: Metrics | null;
  metricsNew: Metrics;
  /** the scored test rows and the candidate's probabilities for them (in `labels` order) */
  testRows: RowSet;
  predictionsNew: ProbabilityRows;
  /** the rows the version trained on and has seen, its parent's included */
  versionRows: VersionRows;
  stats: Record<string, unknown>;
  /** Read just before the run is marked succeeded, so that it includes the saving time. */
  timings(): Record<string, number>;
}

/** Locks the run row; returns why it is not this worker's to save into, or null when it is. */
async function refusal(tx: Prisma.TransactionClient, runId: string, workerId: string): Promise<string | null> {
  const run = await lockRun(tx, runId);
  if (!run) return "the run was deleted";
  if (run.workerId !== workerId || run.status !== "running") return `the run is no longer this worker's (it is ${run.status})`;
  if (run.cancelRequested) return "a cancel was requested";
  return null;
}

/** Stores the staged candidate as a version of the run's model and ends the run succeeded; returns the version id. */
export async function saveCandidate(ctx: RunContext, staged: string, c: CandidateRecord): Promise<string> {
  const { db, runId, workerId } = ctx;
  const artifact = await readArtifactDir(staged);
  await ctx.report.flush(); // the last progress and loss points, while the run is still running
  const versionId = await db.$transaction(
    async (tx) => {
      // A worker stopped mid-transaction (SIGSTOP, a hung host) must not hold the run row forever:
      // the server ends the session, which rolls the save back and lets the reaper fail the run.
      await tx.$executeRawUnsafe(`SET LOCAL idle_in_transaction_session_timeout = ${Math.ceil(ctx.staleSeconds * 1000)}`);
      const refused = await refusal(tx, runId, workerId);
      if (refused) throw new CancelledError(`Not saved: ${refused}`);
      failpoint("save:locked");
      await tx.artifactFile.createMany({ data: artifactRows(artifact), skipDuplicates: true });
      const version = await tx.modelVersion.create({
        data: {
          modelId: c.modelId,
          artifactHash: artifact.hash,
          labels: c.labels,
          metrics: c.metricsNew as object,
          request: c.request as object,
          parentId: c.parentId,
        },
      });
      await saveVersionRows(tx, version.id, c.versionRows);
      await saveTestRows(tx, runId, c.testRows, c.predictionsNew, c.labels);
      await tx.trainingRun.update({
        where: { id: runId },
        data: {
          status: "succeeded",
          phase: "done",
          progress: 1,
          finishedAt: new Date(),
          error: null,
          candidateVersionId: version.id,
          metricsOld: (c.metricsOld ?? undefined) as object | undefined,
          metricsNew: c.metricsNew as object,
          timings: c.timings(),
          stats: c.stats as object,
        },
      });
      await appendRunLog(tx, runId, `Saved candidate version ${version.id}. Press Override to make it serve.`);
      await enqueueRunFinished(tx, runId);
      failpoint("save:before-commit");
      return version.id;
    },
    { maxWait: 30_000, timeout: 10 * 60_000 },
  );
  failpoint("save:after-commit");
  // The run has succeeded; without a local copy, the first use copies the artifact from the database.
  await placeLocalCopy(staged, artifact.hash).catch((err) => ctx.report.log(`No local copy of the version's files: ${(err as Error).message}`, "warn"));
  await notifyRunEvent(db, runId).catch(() => {});
  return versionId;
}
