import { lookupFeatures } from "../../encoders/feature-cache";
import type { Encoder } from "../../encoders/encoder";
import { throwIfCancelled } from "../../errors";
import { RunFailure, type RunContext } from "../../runs/run-context";
import { failpoint } from "../../runs/failpoint";
import { claimShard, createShards, MAX_SHARD_ATTEMPTS, deleteShards, reapStaleShards, shardStates, type ShardSpec, type ShardStat, type ShardState } from "../../runs/shard-queue";
import { workShard } from "./shard-work";

// The run owner's side of sharded encoding. The run's uncached texts are cut into shards of
// `shardRows` and queued; the owner encodes shards of its own run like any idle worker does, and
// while none is left to take it waits for the others' (reaping shards whose worker died), logging
// each one as it completes. When every shard is done it reads the others' features back from the
// cache and goes on; a shard failed twice fails the run with the reason. The shards are removed
// when the run goes on or fails; the run's stats keep [{workerId, rows, seconds}] per shard.

export interface ShardedEncodeOptions {
  encoder: Encoder;
  spec: ShardSpec;
  shardRows: number;
  heartbeatMs: number;
  /** texts encoded so far, of `total` (by every worker) */
  onProgress(done: number, total: number): void | Promise<void>;
}

export interface ShardedEncodeResult {
  features: Map<string, Float32Array>;
  shards: ShardStat[];
}

const WAIT_MS = 200;

export async function encodeInShards(ctx: RunContext, hashes: string[], texts: string[], o: ShardedEncodeOptions): Promise<ShardedEncodeResult> {
  const { db, runId, workerId, signal, report } = ctx;
  const slices: string[][] = [];
  const sliceHashes: string[][] = [];
  for (let s = 0; s < texts.length; s += o.shardRows) {
    slices.push(texts.slice(s, s + o.shardRows));
    sliceHashes.push(hashes.slice(s, s + o.shardRows));
  }
  await createShards(db, runId, o.spec, slices);
  await report.log(`Encoding ${texts.length} texts in ${slices.length} shards of up to ${o.shardRows}: any idle worker may take one`);
  failpoint("shards:created");
  const features = new Map<string, Float32Array>();
  const logged = new Set<number>();
  try {
    for (;;) {
      throwIfCancelled(signal);
      for (const r of await reapStaleShards(db, ctx.staleSeconds)) {
        if (r.runId !== runId) continue;
        await report.log(`Shard ${r.index + 1}: ${r.error}; ${r.status === "failed" ? "failed" : "queued again"} (attempt ${r.attempts} of ${MAX_SHARD_ATTEMPTS})`, "warn");
      }
      const states = await shardStates(db, runId);
      await logCompleted(ctx, states, logged, slices.length);
      const failed = states.find((s) => s.status === "failed");
      if (failed) {
        throw new RunFailure(`Encoding failed: shard ${failed.index + 1} of ${slices.length} (${failed.rows} texts) failed ${MAX_SHARD_ATTEMPTS} times; last error: ${failed.error}`);
      }
      if (states.every((s) => s.status === "done")) break;
      const done = sumRows(states, "done");
      await o.onProgress(done, texts.length);
      const shard = await claimShard(db, workerId, runId);
      if (!shard) {
        await sleep(WAIT_MS, signal);
        continue;
      }
      const outcome = await workShard(db, workerId, shard, o.encoder, {
        heartbeatMs: o.heartbeatMs,
        signal,
        onRows: (n) => o.onProgress(done + n, texts.length),
      });
      if (outcome.ok) outcome.hashes.forEach((h, i) => features.set(h, outcome.features[i]));
      else await report.log(`Shard ${shard.index + 1} (attempt ${shard.attempts + 1} of ${MAX_SHARD_ATTEMPTS}) failed on this worker: ${outcome.error}`, "warn");
    }
    const others = sliceHashes.flat().filter((h) => !features.has(h));
    const read = await lookupFeatures(db, { encoderHash: o.spec.encoderHash, pooling: o.spec.pooling, maxLength: o.spec.maxLength }, others);
    for (const h of others) {
      const f = read.get(h);
      if (!f) throw new RunFailure(`Encoding failed: a shard was marked done but the feature cache lacks one of its texts (${h.slice(0, 12)}…)`);
      features.set(h, f);
    }
    const states = await shardStates(db, runId);
    const shards = states.map((s) => ({ workerId: s.workerId ?? "", rows: s.rows, seconds: Number((s.seconds ?? 0).toFixed(3)) }));
    return { features, shards };
  } finally {
    await deleteShards(db, runId).catch(() => {});
  }
}

function sumRows(states: ShardState[], status: ShardState["status"]): number {
  return states.reduce((n, s) => n + (s.status === status ? s.rows : 0), 0);
}

/** One log line per shard that another worker completed (the owner logs its own as it goes). */
async function logCompleted(ctx: RunContext, states: ShardState[], logged: Set<number>, total: number): Promise<void> {
  for (const s of states) {
    if (s.status !== "done" || logged.has(s.index)) continue;
    logged.add(s.index);
    const who = s.workerId === ctx.workerId ? "this worker" : `worker ${s.workerId}`;
    await ctx.report.log(`Shard ${s.index + 1} of ${total}: ${s.rows} texts encoded by ${who} in ${(s.seconds ?? 0).toFixed(1)} s`);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
