// Export: any model version as a standalone folder that other ONNX runtimes (and transformers.js's
// `pipeline('text-classification', folder)`) load without this product:
//
//   config.json            id2label / label2id, a *ForSequenceClassification architecture
//   tokenizer.json         the version's tokenizer; tokenizer_config.json with model_max_length =
//   tokenizer_config.json  the version's max_length, so loaders truncate where the product does
//   onnx/model.onnx        ONE graph: input_ids, attention_mask (+ token_type_ids when the encoder
//                          takes it) int64 [batch, sequence] → logits float [batch, num_labels]
//   README.md              inputs, outputs, labels, provenance
//
// Starter versions ("static-embedding") are already one such graph: it is copied, and config.json
// says model_type "bert" / BertForSequenceClassification, which is only the loader's key:
// transformers.js feeds a session exactly the inputs it declares, so a graph without
// token_type_ids runs under it unchanged.
// Encoder versions ("encoder-head": a frozen base encoder folder + head.onnx) are merged by graph
// surgery (lib/models/onnx-graph-merge.ts): encoder → pooling → head.
//
// No Next.js imports here: the CLI (`npm run models -- export`) calls exportVersion too.
import { createWriteStream, existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import * as tar from "tar";
import type { PrismaClient } from "../db/generated/client";
import { modelsDir } from "../env";
import { ENCODER_HEAD_MODEL_TYPE, HEAD_FILE, verifyBase, type EncoderArtifactConfig } from "../kinds/encoder/artifact";
import { HEAD_INPUT, HEAD_OUTPUT } from "../kinds/encoder/head-onnx";
import { mergeEncoderHead } from "../onnx/graph-merge";
import { labelMaps, labelsFromConfig } from "../onnx/labels";
import { STATIC_MODEL_TYPE } from "../kinds/starter/artifact";
import { artifactDir, listFiles } from "./store";

/** The model_type a starter export declares (see the header). */
export const STARTER_EXPORT_MODEL_TYPE = "bert";

export interface ExportResult {
  /** The export folder (absolute). */
  dir: string;
  /** Its files, relative, sorted. */
  files: string[];
}

export interface ExportMeta {
  modelName?: string;
  versionId?: string;
}

export interface ExportArtifactOptions extends ExportMeta {
  /** Where encoder versions' base folders live (default: MODELS_DIR). */
  modelsDir?: string;
}

export class ExportError extends Error {}

const json = (o: unknown) => JSON.stringify(o, null, 2) + "\n";
const readJsonFile = async (p: string) => JSON.parse(await readFile(p, "utf8"));

/** `BertForSequenceClassification` from "bert", `XLMRobertaForSequenceClassification` from "xlm-roberta", … */
export function sequenceClassificationArchitecture(modelType: string, baseArchitectures: unknown): string {
  // Prefer the spelling the base's own config uses (BertModel → Bert…, RobertaModel → Roberta…).
  const arch = Array.isArray(baseArchitectures) ? baseArchitectures.find((a) => typeof a === "string") : undefined;
  const m = typeof arch === "string" ? arch.match(/^(.+?)(Model|ForMaskedLM|ForPreTraining|ForSequenceClassification|ForTokenClassification)$/) : null;
  if (m) return `${m[1]}ForSequenceClassification`;
  const special: Record<string, string> = { bert: "Bert", roberta: "Roberta", "xlm-roberta": "XLMRoberta", distilbert: "DistilBert", mpnet: "MPNet", deberta: "Deberta", "deberta-v2": "DebertaV2", electra: "Electra", albert: "Albert", modernbert: "ModernBert" };
  const stem = special[modelType] ?? modelType.split(/[-_]/).map((s) => s.charAt(0).toUpperCase() + s.slice(1)).join("");
  return `${stem}ForSequenceClassification`;
}

async function prepareOutDir(outDir: string): Promise<string> {
  const dir = path.resolve(outDir);
  if (existsSync(dir) && (await readdir(dir)).length > 0) {
    throw new ExportError(`${dir} is not empty: export into a new or empty folder`);
  }
  await mkdir(path.join(dir, "onnx"), { recursive: true });
  return dir;
}

/** tokenizer.json as is; tokenizer_config.json with model_max_length = the version's max_length. */
async function writeTokenizerFiles(fromDir: string, dir: string, maxLength: number | undefined): Promise<void> {
  await copyFile(path.join(fromDir, "tokenizer.json"), path.join(dir, "tokenizer.json"));
  const tc = await readJsonFile(path.join(fromDir, "tokenizer_config.json"));
  if (maxLength && Number.isFinite(maxLength)) tc.model_max_length = maxLength;
  await writeFile(path.join(dir, "tokenizer_config.json"), json(tc));
}

function readme(o: {
  title: string;
  labels: string[];
  inputs: string[];
  maxLength: number | undefined;
  architecture: string;
  modelType: string;
  body: string[];
  meta: ExportMeta;
}): string {
  const lines = [
    `# ${o.title}`,
    "",
    "Exported by finetune-dashboard" + (o.meta.modelName ? ` from model "${o.meta.modelName}"` : "") + (o.meta.versionId ? `, version \`${o.meta.versionId}\`` : "") + ".",
    "A standalone text classifier: one ONNX graph, its tokenizer, and `config.json` with the label names.",
    "",
    "## Files",
    "",
    "- `onnx/model.onnx` — the whole classifier as one graph.",
    "- `tokenizer.json`, `tokenizer_config.json` — the tokenizer (Hugging Face `tokenizers` format).",
    `- \`config.json\` — \`id2label\`/\`label2id\`, \`architectures: ["${o.architecture}"]\`, \`model_type: "${o.modelType}"\`.`,
    "",
    "## Inputs and output",
    "",
    ...o.inputs.map((i) => `- \`${i}\`: int64 \`[batch, sequence]\`${i === "attention_mask" ? " — 1 for real tokens, 0 for padding" : i === "token_type_ids" ? " — all 0 for a single text" : " — token ids from `tokenizer.json`"}`),
    `- output \`logits\`: float32 \`[batch, ${o.labels.length}]\`, one column per label; apply softmax for probabilities.`,
    "",
    `Tokenise with \`tokenizer.json\` as it is configured${o.maxLength ? ` and truncate to ${o.maxLength} tokens (\`model_max_length\`)` : ""}; pad on the right with id 0 and attention_mask 0.`,
    "",
    ...o.body,
    "",
    "## Labels",
    "",
    "| id | label |",
    "| --- | --- |",
    ...o.labels.map((l, i) => `| ${i} | ${l.replace(/\|/g, "\\|")} |`),
    "",
    "## Use",
    "",
    "transformers.js:",
    "",
    "```js",
    'import { env, pipeline } from "@huggingface/transformers";',
    "env.allowRemoteModels = false;",
    'env.localModelPath = "/path/to/parent-folder";',
    'const classify = await pipeline("text-classification", "<this folder\'s name>");',
    'console.log(await classify("some text", { top_k: null }));',
    "```",
    "",
    "onnxruntime (any language): feed the inputs above to `onnx/model.onnx` and read `logits`.",
    "",
  ];
  return lines.join("\n");
}

async function exportStarter(versionDir: string, dir: string, config: Record<string, unknown>, meta: ExportMeta): Promise<void> {
  const labels = labelsFromConfig(config as { id2label?: Record<string, string> });
  const maxLength = Number(config.max_length) || undefined;
  const architecture = sequenceClassificationArchitecture(STARTER_EXPORT_MODEL_TYPE, undefined);
  const { architectures: _a, model_type: _m, id2label: _i, label2id: _l, ...rest } = config;
  const out = {
    ...rest,
    architectures: [architecture],
    model_type: STARTER_EXPORT_MODEL_TYPE,
    num_labels: labels.length,
    problem_type: "single_label_classification",
    ...labelMaps(labels),
    finetune_dashboard: {
      source_model_type: STATIC_MODEL_TYPE,
      note: 'The graph is a static-embedding classifier (token embeddings mean-pooled over attention_mask, then a linear layer), not a BERT network. model_type "bert" only tells loaders such as transformers.js which classification wrapper to use; they feed the graph only the inputs it declares (input_ids, attention_mask).',
      ...meta,
    },
  };
  await Promise.all([
    writeFile(path.join(dir, "config.json"), json(out)),
    writeTokenizerFiles(versionDir, dir, maxLength),
    copyFile(path.join(versionDir, "onnx", "model.onnx"), path.join(dir, "onnx", "model.onnx")),
    writeFile(
      path.join(dir, "README.md"),
      readme({
        title: `${meta.modelName ?? "Text classifier"} (starter model export)`,
        labels,
        inputs: ["input_ids", "attention_mask"],
        maxLength,
        architecture,
        modelType: STARTER_EXPORT_MODEL_TYPE,
        meta,
        body: [
          "## What the graph computes",
          "",
          "A static-embedding classifier (the fastText family): each token's embedding, averaged over the tokens with attention_mask 1, then a linear layer → `logits`.",
          `The tokenizer adds no special tokens. \`model_type: "bert"\` in config.json is only a key that tells loaders (transformers.js, Optimum) to use a sequence-classification wrapper that returns \`logits\`; the network is not BERT, and PyTorch \`transformers\` cannot load weights for it (there are none outside the ONNX file).`,
        ],
      }),
    ),
  ]);
}

async function exportEncoder(versionDir: string, dir: string, config: EncoderArtifactConfig, opts: ExportArtifactOptions): Promise<void> {
  const labels = labelsFromConfig(config);
  if (config.pooling !== "mean" && config.pooling !== "cls") throw new ExportError(`unknown pooling "${config.pooling}"`);
  // The same check serving does: the base folder is here and hashes as when the version was trained.
  const baseDir = await verifyBase(config, opts.modelsDir ?? modelsDir());
  const baseConfig = await readJsonFile(path.join(baseDir, "config.json"));
  const encoderPath = path.join(baseDir, "onnx", config.quantized ? "model_quantized.onnx" : "model.onnx");

  const [encoderBytes, headBytes] = await Promise.all([readFile(encoderPath), readFile(path.join(versionDir, HEAD_FILE))]);
  const { bytes: merged, inputs } = mergeEncoderHead(encoderBytes, headBytes, {
    pooling: config.pooling,
    headInput: HEAD_INPUT,
    headOutput: HEAD_OUTPUT,
    docString: `${config.base} encoder${config.quantized ? " (quantized)" : ""}, ${config.pooling} pooling, ${config.head?.type ?? "linear"} head → logits`,
  });

  const modelType = String(config.base_model_type ?? baseConfig.model_type ?? "bert");
  const architecture = sequenceClassificationArchitecture(modelType, baseConfig.architectures);
  const { architectures: _a, model_type: _m, id2label: _i, label2id: _l, ...baseRest } = baseConfig;
  const out = {
    ...baseRest,
    architectures: [architecture],
    model_type: modelType,
    num_labels: labels.length,
    problem_type: "single_label_classification",
    max_length: config.max_length,
    ...labelMaps(labels),
    finetune_dashboard: {
      source_model_type: ENCODER_HEAD_MODEL_TYPE,
      base: config.base,
      base_hash: config.base_hash,
      pooling: config.pooling,
      quantized: Boolean(config.quantized),
      head: config.head,
      ...(opts.modelName ? { modelName: opts.modelName } : {}),
      ...(opts.versionId ? { versionId: opts.versionId } : {}),
    },
  };
  const tokenizerFrom = existsSync(path.join(versionDir, "tokenizer.json")) ? versionDir : baseDir;
  await Promise.all([
    writeFile(path.join(dir, "config.json"), json(out)),
    writeTokenizerFiles(tokenizerFrom, dir, config.max_length),
    writeFile(path.join(dir, "onnx", "model.onnx"), merged),
    writeFile(
      path.join(dir, "README.md"),
      readme({
        title: `${opts.modelName ?? "Text classifier"} (${config.base} + trained head)`,
        labels,
        inputs,
        maxLength: config.max_length,
        architecture,
        modelType,
        meta: opts,
        body: [
          "## What the graph computes",
          "",
          `The frozen encoder \`${config.base}\`${config.quantized ? " (its dynamically quantized ONNX file)" : ""} → \`last_hidden_state\`, ` +
            (config.pooling === "mean"
              ? "mean-pooled over the tokens with attention_mask 1"
              : "pooled by taking the first token's state ([CLS])") +
            `, then the trained ${config.head?.type === "mlp" ? `one-hidden-layer head (${config.head.hidden_size ?? "?"} wide, ${config.head.activation ?? "gelu"})` : "linear head"} → \`logits\`.`,
          "The tokenizer adds the encoder's special tokens ([CLS] … [SEP]) as its `post_processor` says.",
        ],
      }),
    ),
  ]);
}

/**
 * Exports a version folder (the content of models/versions/<hash>) into `outDir` (created; must be
 * new or empty). Works without a database: the lead's parity tests and the CLI both use it.
 */
export async function exportArtifact(versionDir: string, outDir: string, opts: ExportArtifactOptions = {}): Promise<ExportResult> {
  const config = await readJsonFile(path.join(versionDir, "config.json"));
  const dir = await prepareOutDir(outDir);
  try {
    if (config.model_type === STATIC_MODEL_TYPE) await exportStarter(versionDir, dir, config, { modelName: opts.modelName, versionId: opts.versionId });
    else if (config.model_type === ENCODER_HEAD_MODEL_TYPE) await exportEncoder(versionDir, dir, config as EncoderArtifactConfig, opts);
    else throw new ExportError(`cannot export a "${config.model_type}" model version (known: ${STATIC_MODEL_TYPE}, ${ENCODER_HEAD_MODEL_TYPE})`);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { dir, files: await listFiles(dir) };
}

export class UnknownVersionError extends ExportError {}

/** Exports model version `versionId` into `outDir` (created; must be new or empty). */
export async function exportVersion(db: PrismaClient, versionId: string, outDir: string, opts: { modelsDir?: string } = {}): Promise<ExportResult> {
  const version = await db.modelVersion.findUnique({
    where: { id: versionId },
    select: { id: true, artifactHash: true, model: { select: { name: true } } },
  });
  if (!version) throw new UnknownVersionError(`No model version has the id "${versionId}"`);
  const src = await artifactDir(db, version.artifactHash);
  return exportArtifact(src, outDir, { ...opts, modelName: version.model.name, versionId: version.id });
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
  if (!version) throw new UnknownVersionError(`No model version has the id "${versionId}"`);
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
 * `<model>-<versionId>.tar.gz`). Throws UnknownVersionError for an unknown id (the route makes it a
 * 404). A web-standard Response, so this module stays free of Next.js.
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
