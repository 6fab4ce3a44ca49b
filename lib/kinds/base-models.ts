// Base models: the folders under MODELS_DIR that a configured model can start from.
//
//   models/starter/config.json                         model_type "static-embedding": kind "starter"
//   models/<name>/config.json, tokenizer.json,
//                 onnx/model.onnx [, model_quantized.onnx]   the transformers.js layout: kind "encoder"
//
// `versions/` (trained versions) and dot-folders are not base models; other folders that are
// neither are skipped.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { modelsDir } from "../env";
import type { ModelKind } from "../validations/run-request";
import { STATIC_MODEL_TYPE } from "./starter/artifact";

export interface BaseModelInfo {
  name: string;
  /** Absolute folder path. */
  path: string;
  kind: ModelKind;
  modelType: string;
  architecture: string | null;
  hiddenSize: number | null;
  layers: number | null;
  heads: number | null;
  vocabSize: number | null;
  maxPosition: number | null;
  /** Bytes of every file in the folder. */
  sizeBytes: number;
  hasQuantized: boolean;
  /** true for synth-bert folders (random weights). */
  synthetic: boolean;
}

const SKIP = new Set(["versions"]);

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}

async function folderSize(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += await folderSize(p);
    else if (e.isFile()) total += (await stat(p)).size;
  }
  return total;
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** Describes one folder, or null when it is not a base model. */
async function describe(dir: string, name: string): Promise<BaseModelInfo | null> {
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(await readFile(path.join(dir, "config.json"), "utf8"));
  } catch {
    return null;
  }
  const modelType = typeof config.model_type === "string" ? config.model_type : "unknown";
  const hasOnnx = await exists(path.join(dir, "onnx", "model.onnx"));
  let kind: BaseModelInfo["kind"];
  if (modelType === STATIC_MODEL_TYPE && !hasOnnx) kind = "starter";
  else if (hasOnnx && (await exists(path.join(dir, "tokenizer.json")))) kind = "encoder";
  else return null;
  const arch = Array.isArray(config.architectures) && typeof config.architectures[0] === "string" ? config.architectures[0] : null;
  return {
    name,
    path: dir,
    kind,
    modelType,
    architecture: arch,
    hiddenSize: num(config.hidden_size) ?? num(config.dim) ?? num(config.d_model),
    layers: num(config.num_hidden_layers) ?? num(config.n_layers),
    heads: num(config.num_attention_heads) ?? num(config.n_heads),
    vocabSize: num(config.vocab_size),
    maxPosition: num(config.max_position_embeddings) ?? num(config.max_length),
    sizeBytes: await folderSize(dir),
    hasQuantized: kind === "encoder" && (await exists(path.join(dir, "onnx", "model_quantized.onnx"))),
    synthetic: config.synthetic === true,
  };
}

/** Every base model under `dir`, by name. */
export async function listBaseModels(dir: string = modelsDir()): Promise<BaseModelInfo[]> {
  const root = path.resolve(dir);
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  const names = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith(".") && !SKIP.has(e.name))
    .map((e) => e.name)
    .sort();
  const infos = await Promise.all(names.map((n) => describe(path.join(root, n), n)));
  return infos.filter((i): i is BaseModelInfo => i !== null);
}

/** One base model by folder name, or null. Names with path separators or dots in front are refused. */
export async function readBaseModel(name: string, dir: string = modelsDir()): Promise<BaseModelInfo | null> {
  if (!isValidModelName(name) || SKIP.has(name)) return null;
  return describe(path.join(path.resolve(dir), name), name);
}

/** A folder name a base model may have: no separators, no leading dot, printable. */
export function isValidModelName(name: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(name);
}

// --- content hash --------------------------------------------------------------------------------

const fileHashes = new Map<string, { key: string; hash: string }>();

/** sha256 of a file, streamed; memoised by path + mtime + size. */
async function hashFile(p: string): Promise<string> {
  const s = await stat(p);
  const key = `${s.mtimeMs}:${s.size}`;
  const hit = fileHashes.get(p);
  if (hit && hit.key === key) return hit.hash;
  const h = createHash("sha256");
  await new Promise<void>((resolve, reject) => {
    createReadStream(p, { highWaterMark: 4 << 20 })
      .on("data", (chunk) => h.update(chunk))
      .on("error", reject)
      .on("end", resolve);
  });
  const hash = h.digest("hex");
  fileHashes.set(p, { key, hash });
  return hash;
}

/** The ONNX file an encoder runs: onnx/model_quantized.onnx when quantized, else onnx/model.onnx. */
export function encoderOnnxPath(info: Pick<BaseModelInfo, "path">, quantized: boolean): string {
  return path.join(info.path, "onnx", quantized ? "model_quantized.onnx" : "model.onnx");
}

/**
 * Content hash of an encoder as it will run: sha256 over the sha256s of the ONNX file actually used
 * and of tokenizer.json. Two folders with the same files hash the same; re-writing a folder with
 * other weights changes it.
 */
export async function encoderHash(info: Pick<BaseModelInfo, "path">, quantized: boolean): Promise<string> {
  const onnxPath = encoderOnnxPath(info, quantized);
  if (quantized && !(await exists(onnxPath))) throw new Error(`${info.path} has no onnx/model_quantized.onnx`);
  const [onnxHash, tokHash] = await Promise.all([hashFile(onnxPath), hashFile(path.join(info.path, "tokenizer.json"))]);
  return createHash("sha256").update(`onnx:${onnxHash}\ntokenizer:${tokHash}\n`).digest("hex");
}
