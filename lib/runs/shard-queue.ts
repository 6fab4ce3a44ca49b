import { Prisma, type PrismaClient } from "../db/generated/client";
import { notifyRunQueued } from "./queue";
import type { ShardStat } from "./types";

export type { ShardStat };

// Encode shards: slices of one encoder run's uncached texts, queued in the EncodeShard table so that
// any idle worker can encode one into the feature cache. They are claimed as runs are (oldest first,
// FOR UPDATE SKIP LOCKED: no shard is taken twice at once), only while their run is still running,
// and the same NOTIFY that announces a queued run wakes idle workers for them. The worker encoding
// a shard heartbeats it; a shard whose heartbeat stops, or whose encoding throws, goes back to the
// queue once and is failed the second time (MAX_SHARD_ATTEMPTS), which fails its run.

export const MAX_SHARD_ATTEMPTS = 2;

type Db = Pick<PrismaClient, "$queryRaw" | "$executeRaw">;

export interface ShardSpec {
  /** the base model folder's name under MODELS_DIR */
  base: string;
  quantized: boolean;
  pooling: "mean" | "cls";
  maxLength: number;
  /** the base folder's content hash: a worker whose folder differs must not encode the shard */
  encoderHash: string;
  dtype: "float16" | "float32";
}

export interface ClaimedShard {
  id: string;
  runId: string;
  index: number;
  spec: ShardSpec;
  texts: string[];
  attempts: number;
}

export interface ShardState {
  index: number;
  rows: number;
  status: "queued" | "running" | "done" | "failed";
  attempts: number;
  workerId: string | null;
  seconds: number | null;
  error: string | null;
}


/** Queues one shard per slice of `texts` for the run, then wakes idle workers. */
export async function createShards(db: Db, runId: string, spec: ShardSpec, slices: string[][]): Promise<void> {
  for (let i = 0; i < slices.length; i++) {
    await db.$executeRaw`
      INSERT INTO "EncodeShard" (id, "runId", "index", spec, texts, rows)
      VALUES (${`${runId}-s${i}`}, ${runId}, ${i}, ${JSON.stringify(spec)}::jsonb, ${slices[i]}::text[], ${slices[i].length})`;
  }
  await notifyRunQueued(db);
}

/** Takes the oldest queued shard of a running run (of `runId` only, when given); null when none. */
export async function claimShard(db: Db, workerId: string, runId?: string): Promise<ClaimedShard | null> {
  const only = runId ?? null;
  const rows = await db.$queryRaw<ClaimedShard[]>`
    UPDATE "EncodeShard" SET status = 'running', "workerId" = ${workerId}, "startedAt" = now(), "heartbeatAt" = now()
    WHERE id = (
      SELECT s.id FROM "EncodeShard" s JOIN "TrainingRun" r ON r.id = s."runId"
      WHERE s.status = 'queued' AND r.status = 'running' AND (${only}::text IS NULL OR s."runId" = ${only}::text)
      ORDER BY s."createdAt", s."index" FOR UPDATE OF s SKIP LOCKED LIMIT 1
    )
    RETURNING id, "runId", "index", spec, texts, attempts`;
  return rows[0] ?? null;
}

/** Records that the worker still encodes the shard; `lost` when it no longer holds it or its run ended. */
export async function heartbeatShard(db: Db, shardId: string, workerId: string): Promise<{ lost: boolean }> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    UPDATE "EncodeShard" s SET "heartbeatAt" = now()
    FROM "TrainingRun" r
    WHERE s.id = ${shardId} AND s."workerId" = ${workerId} AND s.status = 'running' AND r.id = s."runId" AND r.status = 'running'
    RETURNING s.id`;
  return { lost: rows.length === 0 };
}

/** Marks the shard done (its features are in the cache) and lets go of its texts. */
export async function completeShard(db: Db, shardId: string, workerId: string, seconds: number): Promise<boolean> {
  const n = await db.$executeRaw`
    UPDATE "EncodeShard" SET status = 'done', texts = '{}', seconds = ${seconds}, "finishedAt" = now()
    WHERE id = ${shardId} AND "workerId" = ${workerId} AND status = 'running'`;
  return n > 0;
}

/** The SET list of a failed attempt: counted, with its error; back to the queue, or failed for good at MAX_SHARD_ATTEMPTS (keeping who failed it). */
const failedAttempt = (error: string) => Prisma.sql`attempts = attempts + 1, error = ${error}, "finishedAt" = now(),
  status = CASE WHEN attempts + 1 >= ${MAX_SHARD_ATTEMPTS} THEN 'failed' ELSE 'queued' END,
  "workerId" = CASE WHEN attempts + 1 >= ${MAX_SHARD_ATTEMPTS} THEN "workerId" ELSE NULL END`;

/** A failed attempt: back to the queue, or failed for good at MAX_SHARD_ATTEMPTS. */
export async function failShard(db: Db, shardId: string, workerId: string, error: string): Promise<void> {
  await db.$executeRaw`
    UPDATE "EncodeShard" SET ${failedAttempt(error)}
    WHERE id = ${shardId} AND "workerId" = ${workerId} AND status = 'running'`;
}

/** Shards whose worker stopped heartbeating count a failed attempt; returns them as they are now. */
export async function reapStaleShards(db: Db, staleSeconds: number): Promise<{ runId: string; index: number; status: string; attempts: number; error: string }[]> {
  const message = `the worker encoding it stopped heartbeating for over ${staleSeconds} s (killed, or its connection was lost)`;
  return db.$queryRaw`
    UPDATE "EncodeShard" SET ${failedAttempt(message)}
    WHERE status = 'running' AND "heartbeatAt" < now() - make_interval(secs => ${staleSeconds})
    RETURNING "runId", "index", status, attempts, error`;
}

/** Every shard of the run, by index. */
export async function shardStates(db: Db, runId: string): Promise<ShardState[]> {
  return db.$queryRaw<ShardState[]>`
    SELECT "index", rows, status, attempts, "workerId", seconds, error FROM "EncodeShard" WHERE "runId" = ${runId} ORDER BY "index"`;
}

/** Removes the run's shards (its stats keep what they were). */
export async function deleteShards(db: Db, runId: string): Promise<void> {
  await db.$executeRaw`DELETE FROM "EncodeShard" WHERE "runId" = ${runId}`;
}

/** Removes the shards of runs that ended without removing them (their worker died). */
export async function deleteOrphanShards(db: Db): Promise<number> {
  return db.$executeRaw`
    DELETE FROM "EncodeShard" s USING "TrainingRun" r WHERE r.id = s."runId" AND r.status <> 'running'`;
}

/** Gives a shard back to the queue without counting an attempt (its worker is stopping). */
export async function releaseShard(db: Db, shardId: string, workerId: string): Promise<void> {
  await db.$executeRaw`
    UPDATE "EncodeShard" SET status = 'queued', "workerId" = NULL WHERE id = ${shardId} AND "workerId" = ${workerId} AND status = 'running'`;
}
