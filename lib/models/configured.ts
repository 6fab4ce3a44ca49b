import type { PrismaClient } from "../db/generated/client";
import { localChange } from "../db/invalidated-cache";
import { modelsDir } from "../env";
import { readBaseModel } from "../kinds/base-models";
import { badRequest, conflict, notFound } from "../errors";
import type { createModelSchema, updateModelSchema } from "../validations/model-config";
import type { z } from "zod";
import type { ModelKind } from "../validations/run-request";

// Configured models: add, edit, remove. A model's kind follows from its base folder: the starter
// (static embeddings) or a transformer encoder in the transformers.js layout. Each change drops the
// serving cache (which model is the default, its settings: lib/db/invalidated-cache.ts).

/** The model kind of a base folder (lib/kinds/base-models.ts), from its config.json's config.json; throws naming `base` when unusable. */
export async function baseKind(base: string): Promise<ModelKind> {
  const info = await readBaseModel(base);
  if (!info) {
    throw badRequest([
      {
        path: "base",
        message: `no usable base model folder "${base}" under ${modelsDir()} (it needs config.json, tokenizer.json and onnx/model.onnx: copy a transformers.js model folder there, or run npm run models -- synth-bert ${base})`,
      },
    ]);
  }
  return info.kind;
}

type CreateInput = z.output<typeof createModelSchema>;
type UpdateInput = z.output<typeof updateModelSchema>;

function configOf(input: Partial<CreateInput>): Record<string, unknown> {
  const { name: _n, base: _b, isDefault: _d, ...rest } = input;
  return rest;
}

export async function createModel(db: PrismaClient, input: CreateInput) {
  const kind = await baseKind(input.base);
  if (await db.model.findUnique({ where: { name: input.name } })) {
    throw conflict(`a model named "${input.name}" already exists`);
  }
  const created = await db.$transaction(async (tx) => {
    if (input.isDefault) await tx.model.updateMany({ where: { isDefault: true }, data: { isDefault: false } });
    return tx.model.create({
      data: { name: input.name, kind, basePath: input.base, config: configOf(input) as object, isDefault: input.isDefault ?? false },
    });
  });
  localChange("serving");
  return created;
}

export async function updateModel(db: PrismaClient, name: string, input: UpdateInput) {
  const model = await db.model.findUnique({ where: { name } });
  if (!model) throw notFound(`no model is named "${name}"`);
  const kind = input.base !== undefined ? await baseKind(input.base) : model.kind;
  if (input.isDefault === false && model.isDefault) {
    throw conflict("make another model the default instead of un-setting this one");
  }
  const updated = await db.$transaction(async (tx) => {
    if (input.isDefault) await tx.model.updateMany({ where: { isDefault: true, NOT: { id: model.id } }, data: { isDefault: false } });
    return tx.model.update({
      where: { id: model.id },
      data: {
        kind,
        basePath: input.base ?? model.basePath,
        config: { ...(model.config as object), ...configOf(input) } as object,
        ...(input.isDefault ? { isDefault: true } : {}),
      },
    });
  });
  localChange("serving");
  return updated;
}

/** Removes a model with its versions and runs; refused for the default model and while it has a run in progress. */
export async function deleteModel(db: PrismaClient, name: string): Promise<void> {
  const model = await db.model.findUnique({ where: { name } });
  if (!model) throw notFound(`no model is named "${name}"`);
  if (model.isDefault) throw conflict(`"${name}" is the default model: make another model the default first`);
  const active = await db.trainingRun.count({ where: { modelId: model.id, status: { in: ["queued", "running"] } } });
  if (active > 0) throw conflict(`"${name}" has ${active} queued or running run(s): cancel them first`);
  await db.$transaction(async (tx) => {
    await tx.model.update({ where: { id: model.id }, data: { servingVersionId: null } });
    await tx.model.delete({ where: { id: model.id } });
  });
  localChange("serving");
}
