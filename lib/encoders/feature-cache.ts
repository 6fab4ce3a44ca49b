// Pooled features cached in PostgreSQL (table feature_cache), keyed by
// (encoder content hash, pooling, max_length, sha256 of the text): a re-train on a table that grew
// encodes only the texts the cache has not seen.
//
// - Look-ups go in chunks, each one query with the chunk's hashes bound as one array (= ANY($n)).
// - Missing texts are de-duplicated, encoded in chunks (encodeMissing is called once per chunk, with
//   how many were done before it), and each chunk is stored as soon as it is encoded, with
//   ON CONFLICT DO NOTHING — so a cancelled or crashed run keeps what it encoded, and two runs
//   encoding the same texts at once do not fail.
// - Features are stored as little-endian float16 (default; half the bytes, ~3 significant digits,
//   far below what a head on frozen features can resolve) or float32. Freshly encoded features are
//   returned after the same rounding, so a run on a cold cache trains on exactly the numbers a
//   re-run on the warm cache reads back.
import { createHash } from "node:crypto";
import type { PrismaClient } from "../db/generated/client";
import { decodeFloat16, decodeFloat32, encodeFloat16, encodeFloat32 } from "./f16";

export type FeatureDtype = "float16" | "float32";

export interface FeatureCacheKey {
  encoderHash: string;
  pooling: string;
  maxLength: number;
}

export interface FeatureCacheProgress {
  phase: "lookup" | "encode" | "store";
  done: number;
  total: number;
}

export interface FeatureCacheOptions {
  dtype?: FeatureDtype;
  /** Missing texts per encodeMissing call (default 2048). */
  encodeChunk?: number;
  onProgress?(p: FeatureCacheProgress): void | Promise<void>;
  /**
   * Called once with every missing text (distinct, by hash) before any is encoded here: returns
   * their features after having them encoded and stored elsewhere (e.g. by other workers), or null
   * to have them encoded here by `encodeMissing`.
   */
  distribute?(hashes: string[], texts: string[]): Promise<Map<string, Float32Array> | null>;
}

export interface FeatureCacheResult {
  /** One per input text, in input order (equal texts share one array: treat them as read-only). */
  features: Float32Array[];
  /** Distinct texts encoded now. */
  encodedRows: number;
  /** Distinct texts read from the cache. */
  cachedRows: number;
  /** Input rows that repeat an earlier row's text (neither encoded nor looked up again). */
  duplicateRows: number;
}

/** What `encodeMissing` is told about the chunk it is asked for. */
export interface EncodeChunkInfo {
  /** Missing texts encoded before this chunk. */
  done: number;
  /** Missing texts in all. */
  total: number;
}

const LOOKUP_CHUNK = 2000;
const INSERT_CHUNK = 500;

export function textHash(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export function encodeFeatures(f: Float32Array, dtype: FeatureDtype): Uint8Array {
  return dtype === "float16" ? encodeFloat16(f) : encodeFloat32(f);
}

export function decodeFeatures(bytes: Uint8Array, dtype: string): Float32Array {
  if (dtype === "float16") return decodeFloat16(bytes);
  if (dtype === "float32") return decodeFloat32(bytes);
  throw new Error(`feature_cache: unknown dtype "${dtype}"`);
}

type Db = Pick<PrismaClient, "$queryRaw" | "$executeRaw">;

interface CacheRow {
  text_hash: string;
  dim: number;
  dtype: string;
  features: Uint8Array;
}

/** Cached features for `hashes` (any subset may be missing). */
export async function lookupFeatures(db: Db, key: FeatureCacheKey, hashes: string[]): Promise<Map<string, Float32Array>> {
  const found = new Map<string, Float32Array>();
  for (let s = 0; s < hashes.length; s += LOOKUP_CHUNK) {
    const chunk = hashes.slice(s, s + LOOKUP_CHUNK);
    const rows = await db.$queryRaw<CacheRow[]>`
      SELECT text_hash, dim, dtype, features FROM feature_cache
      WHERE encoder_hash = ${key.encoderHash} AND pooling = ${key.pooling} AND max_length = ${key.maxLength}
        AND text_hash = ANY(${chunk}::text[])`;
    for (const r of rows) {
      const f = decodeFeatures(new Uint8Array(r.features), r.dtype);
      if (f.length !== r.dim) throw new Error(`feature_cache row ${r.text_hash}: ${f.length} values, dim says ${r.dim}`);
      found.set(r.text_hash, f);
    }
  }
  return found;
}

/** Stores features (ON CONFLICT DO NOTHING: a row already there is kept). */
export async function storeFeatures(
  db: Db,
  key: FeatureCacheKey,
  rows: { hash: string; features: Float32Array }[],
  dtype: FeatureDtype = "float16",
): Promise<void> {
  for (let s = 0; s < rows.length; s += INSERT_CHUNK) {
    const chunk = rows.slice(s, s + INSERT_CHUNK);
    const dim = chunk[0].features.length;
    if (chunk.some((r) => r.features.length !== dim)) throw new Error("storeFeatures: rows of different widths");
    const hashes = chunk.map((r) => r.hash);
    // bytea[] does not survive every driver's array encoding; base64 text does, and decode() is exact.
    const blobs = chunk.map((r) => Buffer.from(encodeFeatures(r.features, dtype)).toString("base64"));
    await db.$executeRaw`
      INSERT INTO feature_cache (encoder_hash, pooling, max_length, text_hash, dim, dtype, features)
      SELECT ${key.encoderHash}, ${key.pooling}, ${key.maxLength}, t.h, ${dim}, ${dtype}, decode(t.f, 'base64')
      FROM unnest(${hashes}::text[], ${blobs}::text[]) AS t(h, f)
      ON CONFLICT DO NOTHING`;
  }
}

/**
 * Stores freshly encoded features (one per hash) after rounding them as stored, so cold and warm
 * runs see identical numbers; returns the rounded features. All must have one width (`dim`, when
 * given, is the width the cache already holds).
 */
export async function storeFresh(
  db: Db,
  key: FeatureCacheKey,
  hashes: string[],
  feats: Float32Array[],
  dtype: FeatureDtype = "float16",
  dim = 0,
): Promise<Float32Array[]> {
  if (feats.length !== hashes.length) throw new Error(`the encoder returned ${feats.length} rows for ${hashes.length} texts`);
  const width = dim || feats[0]?.length || 0;
  const rows = hashes.map((hash, i) => {
    const f = feats[i];
    if (f.length !== width) throw new Error(`features of width ${f.length}, expected ${width} (the cached rows' width): did the encoder change under the same hash?`);
    return { hash, features: decodeFeatures(encodeFeatures(f, dtype), dtype) };
  });
  await storeFeatures(db, key, rows, dtype);
  return rows.map((r) => r.features);
}

/**
 * Features for every text: from the cache where present, otherwise from `encodeMissing` (called
 * with distinct texts only, in chunks), which are then stored. See the header for the details.
 */
export async function featuresWithCache(
  db: Db,
  key: FeatureCacheKey,
  texts: string[],
  encodeMissing: (texts: string[], info: EncodeChunkInfo) => Promise<Float32Array[]>,
  opts: FeatureCacheOptions = {},
): Promise<FeatureCacheResult> {
  const dtype = opts.dtype ?? "float16";
  if (dtype !== "float16" && dtype !== "float32") throw new RangeError(`dtype must be "float16" or "float32", got ${JSON.stringify(dtype)}`);
  const encodeChunk = Math.max(1, opts.encodeChunk ?? 2048);
  const hashes = texts.map((t) => textHash(t ?? ""));
  const firstText = new Map<string, string>();
  hashes.forEach((h, i) => {
    if (!firstText.has(h)) firstText.set(h, texts[i] ?? "");
  });
  const distinct = [...firstText.keys()];

  await opts.onProgress?.({ phase: "lookup", done: 0, total: distinct.length });
  const byHash = await lookupFeatures(db, key, distinct);
  const cachedRows = byHash.size;
  await opts.onProgress?.({ phase: "lookup", done: distinct.length, total: distinct.length });

  const missing = distinct.filter((h) => !byHash.has(h));
  const dim = byHash.size ? byHash.values().next().value!.length : 0;
  const elsewhere = missing.length ? await opts.distribute?.(missing, missing.map((h) => firstText.get(h)!)) : null;
  if (elsewhere) {
    for (const h of missing) {
      const f = elsewhere.get(h);
      if (!f) throw new Error(`distribute() returned no features for text ${h}`);
      if (dim && f.length !== dim) throw new Error(`features of width ${f.length}, expected ${dim} (the cached rows' width): did the encoder change under the same hash?`);
      byHash.set(h, f);
    }
  } else {
    for (let s = 0; s < missing.length; s += encodeChunk) {
      const chunk = missing.slice(s, s + encodeChunk);
      await opts.onProgress?.({ phase: "encode", done: s, total: missing.length });
      const feats = await encodeMissing(
        chunk.map((h) => firstText.get(h)!),
        { done: s, total: missing.length },
      );
      await opts.onProgress?.({ phase: "store", done: s, total: missing.length });
      const stored = await storeFresh(db, key, chunk, feats, dtype, dim);
      chunk.forEach((h, i) => byHash.set(h, stored[i]));
    }
    if (missing.length) await opts.onProgress?.({ phase: "encode", done: missing.length, total: missing.length });
  }

  return {
    features: hashes.map((h) => byHash.get(h)!),
    encodedRows: missing.length,
    cachedRows,
    duplicateRows: texts.length - distinct.length,
  };
}
