// What every kind's export writes the same way: the output folder, the tokenizer files with the
// version's max_length, the README, and the *ForSequenceClassification architecture name.
import { existsSync } from "node:fs";
import { copyFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { labelMaps } from "../onnx/labels";
import type { ExportOptions } from "./types";

export class ExportError extends Error {}

/**
 * An export's config.json: `source` (the version's or the base's config) with its architecture,
 * model_type and labels replaced, `extra` fields after problem_type, and where it came from.
 */
export function exportConfig(
  source: Record<string, unknown>,
  o: { architecture: string; modelType: string; labels: string[]; extra?: Record<string, unknown>; provenance: Record<string, unknown> },
): Record<string, unknown> {
  const { architectures: _a, model_type: _m, id2label: _i, label2id: _l, ...rest } = source;
  return {
    ...rest,
    architectures: [o.architecture],
    model_type: o.modelType,
    num_labels: o.labels.length,
    problem_type: "single_label_classification",
    ...o.extra,
    ...labelMaps(o.labels),
    finetune_dashboard: o.provenance,
  };
}

type ExportMeta = Pick<ExportOptions, "modelName" | "versionId">;

export const json = (o: unknown) => JSON.stringify(o, null, 2) + "\n";
export const readJsonFile = async (p: string) => JSON.parse(await readFile(p, "utf8"));

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

export async function prepareOutDir(outDir: string): Promise<string> {
  const dir = path.resolve(outDir);
  if (existsSync(dir) && (await readdir(dir)).length > 0) {
    throw new ExportError(`${dir} is not empty: export into a new or empty folder`);
  }
  await mkdir(path.join(dir, "onnx"), { recursive: true });
  return dir;
}

/** tokenizer.json as is; tokenizer_config.json with model_max_length = the version's max_length. */
export async function writeTokenizerFiles(fromDir: string, dir: string, maxLength: number | undefined): Promise<void> {
  await copyFile(path.join(fromDir, "tokenizer.json"), path.join(dir, "tokenizer.json"));
  const tc = await readJsonFile(path.join(fromDir, "tokenizer_config.json"));
  if (maxLength && Number.isFinite(maxLength)) tc.model_max_length = maxLength;
  await writeFile(path.join(dir, "tokenizer_config.json"), json(tc));
}

export function exportReadme(o: {
  title: string;
  labels: string[];
  inputs: string[];
  maxLength: number | undefined;
  architecture: string;
  modelType: string;
  body: string[];
  meta: ExportMeta;
  card?: string[];
}): string {
  const lines = [
    `# ${o.title}`,
    "",
    "Exported by finetune-dashboard" + (o.meta.modelName ? ` from model "${o.meta.modelName}"` : "") + (o.meta.versionId ? `, version \`${o.meta.versionId}\`` : "") + ".",
    "A standalone text classifier: one ONNX graph, its tokenizer, and `config.json` with the label names.",
    "",
    ...(o.card ?? []),
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
