// A starter version as a standalone export folder. Its graph ("static-embedding") is already one
// graph input_ids, attention_mask → logits: it is copied, and config.json says model_type "bert" /
// BertForSequenceClassification, which is only the loader's key: transformers.js feeds a session
// exactly the inputs it declares, so a graph without token_type_ids runs under it unchanged.
import { copyFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { labelsFromConfig } from "../../onnx/labels";
import { exportConfig, exportReadme, json, sequenceClassificationArchitecture, writeTokenizerFiles } from "../export-folder";
import type { ExportOptions } from "../types";
import { STATIC_MODEL_TYPE } from "./artifact";
import { PAIR_MULTIPLIER, usesNgrams, usesPairs, type SubwordOptions } from "../../training/subword";

/** The README's account of the sub-word and word n-gram features, when the version has them. */
function subwordLines(o: SubwordOptions | undefined): string[] {
  if (!o) return [];
  const lines: string[] = [];
  if (usesNgrams(o)) lines.push(`Sub-word features: each token's row already holds the sum of its character ${o.minn}–${o.maxn}-gram rows (fastText's -minn/-maxn, folded in at export), and \`embeddings.count\` says how many rows each token stands for.`);
  if (usesPairs(o))
    lines.push(
      `Word n-grams: every run of 2–${o.wordNgrams} adjacent tokens adds a row of \`pairs.weight\`, computed in the graph: h = (id₁·${PAIR_MULTIPLIER} + id₂) mod ${o.pairBuckets}, then h = (h·${PAIR_MULTIPLIER} + idₖ) mod ${o.pairBuckets} for each further token.`,
    );
  if (lines.length) lines.push("The average is over all of a text's rows: its tokens (with their n-grams) and its runs of tokens.");
  return lines.flatMap((l) => ["", l]);
}

/** The model_type a starter export declares (see the header). */
export const STARTER_EXPORT_MODEL_TYPE = "bert";

/** A starter version's export: its graph is already the one standalone graph (see the header). */
export async function exportStarter(versionDir: string, dir: string, config: Record<string, unknown>, opts: ExportOptions): Promise<void> {
  const meta = { modelName: opts.modelName, versionId: opts.versionId };
  const labels = labelsFromConfig(config as { id2label?: Record<string, string> });
  const maxLength = Number(config.max_length) || undefined;
  const architecture = sequenceClassificationArchitecture(STARTER_EXPORT_MODEL_TYPE, undefined);
  const out = exportConfig(config, {
    architecture,
    modelType: STARTER_EXPORT_MODEL_TYPE,
    labels,
    provenance: {
      source_model_type: STATIC_MODEL_TYPE,
      note: 'The graph is a static-embedding classifier (token embeddings mean-pooled over attention_mask, then a linear layer), not a BERT network. model_type "bert" only tells loaders such as transformers.js which classification wrapper to use; they feed the graph only the inputs it declares (input_ids, attention_mask).',
      ...meta,
    },
  });
  await Promise.all([
    writeFile(path.join(dir, "config.json"), json(out)),
    writeTokenizerFiles(versionDir, dir, maxLength),
    copyFile(path.join(versionDir, "onnx", "model.onnx"), path.join(dir, "onnx", "model.onnx")),
    writeFile(
      path.join(dir, "README.md"),
      exportReadme({
        title: `${meta.modelName ?? "Text classifier"} (starter model export)`,
        labels,
        inputs: ["input_ids", "attention_mask"],
        maxLength,
        architecture,
        modelType: STARTER_EXPORT_MODEL_TYPE,
        meta,
        card: opts.card,
        body: [
          "## What the graph computes",
          "",
          "A static-embedding classifier (the fastText family): each token's embedding, averaged over the tokens with attention_mask 1, then a linear layer → `logits`.",
          ...subwordLines(config.subwords as SubwordOptions | undefined),
          `The tokenizer adds no special tokens. \`model_type: "bert"\` in config.json is only a key that tells loaders (transformers.js, Optimum) to use a sequence-classification wrapper that returns \`logits\`; the network is not BERT, and PyTorch \`transformers\` cannot load weights for it (there are none outside the ONNX file).`,
        ],
      }),
    ),
  ]);
}
