// An encoder version ("encoder-head": a frozen base encoder folder + head.onnx) as a standalone
// export folder: the encoder, pooling and head are merged by graph surgery (lib/onnx/graph-merge.ts)
// into one graph input_ids, attention_mask (+ token_type_ids) → logits.
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { modelsDir } from "../../env";
import { mergeEncoderHead } from "../../onnx/graph-merge";
import { labelsFromConfig } from "../../onnx/labels";
import { ExportError, exportConfig, exportReadme, json, readJsonFile, sequenceClassificationArchitecture, writeTokenizerFiles } from "../export-folder";
import type { ExportOptions } from "../types";
import { ENCODER_HEAD_MODEL_TYPE, HEAD_FILE, verifyBase, type EncoderArtifactConfig } from "./artifact";
import { HEAD_INPUT, HEAD_OUTPUT } from "./head-onnx";

/** An encoder version's export: base encoder → pooling → head merged into one graph. */
export async function exportEncoder(versionDir: string, dir: string, versionConfig: Record<string, unknown>, opts: ExportOptions): Promise<void> {
  const config = versionConfig as unknown as EncoderArtifactConfig;
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
  const out = exportConfig(baseConfig, {
    architecture,
    modelType,
    labels,
    extra: { max_length: config.max_length },
    provenance: {
      source_model_type: ENCODER_HEAD_MODEL_TYPE,
      base: config.base,
      base_hash: config.base_hash,
      pooling: config.pooling,
      quantized: Boolean(config.quantized),
      head: config.head,
      ...(opts.modelName ? { modelName: opts.modelName } : {}),
      ...(opts.versionId ? { versionId: opts.versionId } : {}),
    },
  });
  const tokenizerFrom = existsSync(path.join(versionDir, "tokenizer.json")) ? versionDir : baseDir;
  await Promise.all([
    writeFile(path.join(dir, "config.json"), json(out)),
    writeTokenizerFiles(tokenizerFrom, dir, config.max_length),
    writeFile(path.join(dir, "onnx", "model.onnx"), merged),
    writeFile(
      path.join(dir, "README.md"),
      exportReadme({
        title: `${opts.modelName ?? "Text classifier"} (${config.base} + trained head)`,
        labels,
        inputs,
        maxLength: config.max_length,
        architecture,
        modelType,
        meta: opts,
        card: opts.card,
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
