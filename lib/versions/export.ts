// Export: any model version as a standalone folder that other ONNX runtimes (and transformers.js's
// `pipeline('text-classification', folder)`) load without this product:
//
//   config.json            id2label / label2id, a *ForSequenceClassification architecture
//   tokenizer.json         the version's tokenizer; tokenizer_config.json with model_max_length =
//   tokenizer_config.json  the version's max_length, so loaders truncate where the product does
//   onnx/model.onnx        ONE graph: input_ids, attention_mask (+ token_type_ids when the encoder
//                          takes it) int64 [batch, sequence] → logits float [batch, num_labels]
//   README.md              the model card (model-card.ts: training data, arguments, metrics,
//                          calibration, description, aliases, lineage), inputs, outputs, labels
//
// Each kind writes its own folder (lib/kinds/<kind>/export.ts: the starter's graph is copied, an
// encoder's is merged with its head); this module finds the version and its kind, and archives.
//
// No Next.js imports here: the CLI (`npm run models -- export`) calls exportVersion too.
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import * as tar from "tar";
import type { PrismaClient } from "../db/generated/client";
import { AppError } from "../errors";
import { kindOfVersionType, KINDS } from "../kinds";
import { ExportError, prepareOutDir, readJsonFile } from "../kinds/export-folder";
import type { ExportOptions } from "../kinds/types";
import { renderModelCard } from "./model-card";
import { loadModelCardData } from "./model-card-data";
import { artifactDir, listFiles } from "./store";

export { ExportError };

export interface ExportResult {
  /** The export folder (absolute). */
  dir: string;
  /** Its files, relative, sorted. */
  files: string[];
}

/**
 * Exports a version folder (the content of models/versions/<hash>) into `outDir` (created; must be
 * new or empty). Works without a database: the lead's parity tests and the CLI both use it.
 */
export async function exportArtifact(versionDir: string, outDir: string, opts: ExportOptions = {}): Promise<ExportResult> {
  const config = await readJsonFile(path.join(versionDir, "config.json"));
  const dir = await prepareOutDir(outDir);
  try {
    const kind = kindOfVersionType(config.model_type);
    if (!kind) throw new ExportError(`cannot export a "${config.model_type}" model version (known: ${KINDS.map((k) => k.versionModelType).join(", ")})`);
    await kind.export(versionDir, dir, config, opts);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { dir, files: await listFiles(dir) };
}


/** Exports model version `versionId` into `outDir` (created; must be new or empty). */
export async function exportVersion(db: PrismaClient, versionId: string, outDir: string, opts: { modelsDir?: string } = {}): Promise<ExportResult> {
  const version = await db.modelVersion.findUnique({
    where: { id: versionId },
    select: { id: true, artifactHash: true, model: { select: { name: true } } },
  });
  if (!version) throw new AppError("unknown_version", 404, `No model version has the id "${versionId}"`);
  const src = await artifactDir(db, version.artifactHash);
  const card = await loadModelCardData(db, version.id);
  return exportArtifact(src, outDir, { ...opts, modelName: version.model.name, versionId: version.id, card: card ? renderModelCard(card) : undefined });
}

/** `<model>-<versionId>.tar.gz`, with characters unsafe in a file name replaced. */
export function exportArchiveName(modelName: string, versionId: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "_");
  return `${safe(modelName)}-${safe(versionId)}.tar.gz`;
}

/**
 * Exports a version into a temporary folder and returns a gzip'd tar stream of it (entries under
 * `<model>-<versionId>/`); the folder is removed when the stream ends, fails or is destroyed.
 */
export async function exportVersionArchive(
  db: PrismaClient,
  versionId: string,
  opts: { modelsDir?: string; tmpDir?: string } = {},
): Promise<{ filename: string; stream: Readable; files: string[] }> {
  const version = await db.modelVersion.findUnique({ where: { id: versionId }, select: { id: true, model: { select: { name: true } } } });
  if (!version) throw new AppError("unknown_version", 404, `No model version has the id "${versionId}"`);
  const filename = exportArchiveName(version.model.name, version.id);
  const folder = filename.replace(/\.tar\.gz$/, "");
  const tmp = await mkdtemp(path.join(opts.tmpDir ?? os.tmpdir(), "export-"));
  let cleaned = false;
  const cleanup = () => {
    if (cleaned) return;
    cleaned = true;
    void rm(tmp, { recursive: true, force: true });
  };
  try {
    const { files } = await exportVersion(db, versionId, path.join(tmp, folder), opts);
    const stream = tar.create({ gzip: true, cwd: tmp, portable: true }, [folder]) as unknown as NodeJS.ReadableStream;
    const readable = Readable.from(stream as AsyncIterable<Buffer>);
    readable.once("close", cleanup);
    readable.once("end", cleanup);
    readable.once("error", cleanup);
    return { filename, stream: readable, files };
  } catch (err) {
    cleanup();
    throw err;
  }
}

/**
 * The HTTP answer for a download: 200 with the .tar.gz streamed (Content-Disposition attachment,
 * `<model>-<versionId>.tar.gz`). Throws AppError "unknown_version" (404) for an unknown id. A web-standard Response, so this module stays free of Next.js.
 */
export async function exportArchiveResponse(db: PrismaClient, versionId: string, opts: { modelsDir?: string; tmpDir?: string } = {}): Promise<Response> {
  const archive = await exportVersionArchive(db, versionId, opts);
  const body = Readable.toWeb(archive.stream) as unknown as ReadableStream<Uint8Array>;
  return new Response(body, {
    status: 200,
    headers: {
      "Content-Type": "application/gzip",
      "Content-Disposition": `attachment; filename="${archive.filename}"`,
      "Cache-Control": "no-store",
    },
  });
}

/** Writes the archive to a file (for scripts and tests). */
export async function writeExportArchive(db: PrismaClient, versionId: string, file: string, opts: { modelsDir?: string; tmpDir?: string } = {}): Promise<string[]> {
  const { stream, files } = await exportVersionArchive(db, versionId, opts);
  await pipeline(stream, createWriteStream(file));
  return files;
}
