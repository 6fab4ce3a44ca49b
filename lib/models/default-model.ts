import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { PrismaClient } from "../db/generated/client";
import { modelsDir } from "../env";
import { STARTER_DEFAULTS } from "../training/train-args";
import { starterKind } from "../kinds/starter";
import { STATIC_MODEL_TYPE } from "../kinds/starter/artifact";

// The starter model: a base-model folder describing the static-embedding classifier, and the
// configured model "default" that uses it. Created on first start; never overwritten.

export const STARTER_DIR_NAME = "starter";
export const DEFAULT_MODEL_NAME = "default";

export async function ensureStarterModel(db: PrismaClient): Promise<{ created: boolean }> {
  const dir = path.join(modelsDir(), STARTER_DIR_NAME);
  const configPath = path.join(dir, "config.json");
  if (!existsSync(configPath)) {
    await mkdir(dir, { recursive: true });
    const config = {
      model_type: STATIC_MODEL_TYPE,
      architectures: ["StaticEmbeddingForSequenceClassification"],
      description:
        "Starter model: token embeddings mean-pooled over the attention mask, then a linear head; the tokenizer is built from the training data and every weight is trained in TypeScript.",
      hidden_size: STARTER_DEFAULTS.dim,
      vocab_size: STARTER_DEFAULTS.vocabSize,
      max_length: STARTER_DEFAULTS.maxLength,
    };
    await writeFile(configPath, JSON.stringify(config, null, 2) + "\n");
  }
  const existing = await db.model.findUnique({ where: { name: DEFAULT_MODEL_NAME } });
  if (existing) return { created: false };
  const hasDefault = await db.model.findFirst({ where: { isDefault: true } });
  await db.model.create({
    data: { name: DEFAULT_MODEL_NAME, kind: starterKind.name, basePath: STARTER_DIR_NAME, isDefault: !hasDefault },
  });
  return { created: true };
}
