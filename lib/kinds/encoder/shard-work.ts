import { loadEncoder, type Encoder } from "../../encoders/encoder";
import { storeFresh, textHash } from "../../encoders/feature-cache";
import { isCancellation } from "../../runs/run-end";
import { completeShard, failShard, heartbeatShard, type ClaimedShard, type ShardSpec } from "../../runs/shard-queue";
import type { PrismaClient } from "../../db/generated/client";
import { encoderHash, readBaseModel } from "../base-models";

// Encoding one claimed shard, the same way on the run's own worker and on any idle one: encode its
// texts, store them in the feature cache (rounded as stored), mark the shard done; heartbeat it
// meanwhile and stop when it is no longer this worker's (reaped, or its run ended). A failure that
// is not a cancellation counts as one failed attempt of the shard (../../runs/shard-queue.ts).

export type ShardOutcome =
  | { ok: true; hashes: string[]; features: Float32Array[]; seconds: number }
  | { ok: false; error: string };

export interface ShardWorkOptions {
  heartbeatMs: number;
  /** the run's signal on its own worker; the worker's on an idle one */
  signal?: AbortSignal;
  /** after every batch: texts of this shard encoded so far */
  onRows?(done: number): void | Promise<void>;
}

export async function workShard(db: PrismaClient, workerId: string, shard: ClaimedShard, encoder: Encoder, opts: ShardWorkOptions): Promise<ShardOutcome> {
  const lost = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, lost.signal]) : lost.signal;
  const beat = setInterval(() => {
    heartbeatShard(db, shard.id, workerId)
      .then((h) => h.lost && lost.abort())
      .catch(() => {});
  }, opts.heartbeatMs);
  const started = performance.now();
  const { spec } = shard;
  try {
    const feats = await encoder.encode(shard.texts, {
      pooling: spec.pooling,
      maxLength: spec.maxLength,
      signal,
      onProgress: (done) => opts.onRows?.(done),
    });
    const hashes = shard.texts.map(textHash);
    const features = await storeFresh(db, { encoderHash: spec.encoderHash, pooling: spec.pooling, maxLength: spec.maxLength }, hashes, feats, spec.dtype);
    const seconds = (performance.now() - started) / 1000;
    if (!(await completeShard(db, shard.id, workerId, seconds))) return { ok: false, error: "the shard was no longer this worker's when it finished" };
    return { ok: true, hashes, features, seconds };
  } catch (err) {
    if (opts.signal?.aborted) throw err; // the run (or the worker) is stopping: not the shard's fault
    if (lost.signal.aborted && isCancellation(err)) return { ok: false, error: "the shard was taken from this worker (it missed its heartbeats) or its run ended" };
    const error = (err as Error).message;
    await failShard(db, shard.id, workerId, error);
    return { ok: false, error };
  } finally {
    clearInterval(beat);
  }
}

/**
 * An idle worker's encoder for shards: kept loaded while shards with the same spec keep coming,
 * checked against the shard's encoder hash (a machine whose base folder differs from the run
 * owner's must not fill the cache under the owner's hash).
 */
export class ShardEncoders {
  private current: { key: string; encoder: Encoder } | null = null;

  async get(spec: ShardSpec): Promise<Encoder> {
    const key = JSON.stringify([spec.base, spec.quantized, spec.encoderHash]);
    if (this.current?.key === key) return this.current.encoder;
    await this.close();
    const base = await readBaseModel(spec.base);
    if (!base || base.kind !== "encoder") throw new Error(`this worker has no encoder folder "${spec.base}" under its MODELS_DIR`);
    const hash = await encoderHash(base, spec.quantized);
    if (hash !== spec.encoderHash) throw new Error(`this worker's "${spec.base}" differs from the run's (content hash ${hash.slice(0, 12)}… vs ${spec.encoderHash.slice(0, 12)}…)`);
    this.current = { key, encoder: await loadEncoder(base.path, { quantized: spec.quantized }) };
    return this.current.encoder;
  }

  async close(): Promise<void> {
    const c = this.current;
    this.current = null;
    await c?.encoder.close();
  }
}
