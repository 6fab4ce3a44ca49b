import type { PrismaClient } from "../db/generated/client";
import { localChange } from "../db/invalidated-cache";
import { notFound } from "../errors";
import type { AliasView } from "../validations/registry";

// A model's named aliases besides its serving pointer ("challenger" → a version of that model).
// Setting an alias that exists moves it in one INSERT … ON CONFLICT statement: a concurrent reader
// (a prediction by alias) sees the old version or the new one, never none. The version must be one
// of the model's own: the statement inserts only when the version's model is the named one. A set
// or removed alias drops the serving cache of this process at once, and of the other web processes
// on its trigger's NOTIFY (lib/db/invalidated-cache.ts).

type Db = Pick<PrismaClient, "$queryRaw" | "model" | "modelVersion" | "user">;

async function modelIdOf(db: Db, name: string): Promise<string> {
  const model = await db.model.findUnique({ where: { name }, select: { id: true } });
  if (!model) throw notFound(`No model is named "${name}"`, [{ path: "model", message: `no model is named "${name}"` }]);
  return model.id;
}

interface AliasRow {
  alias: string;
  versionId: string;
  updatedAt: Date;
  updatedById: string | null;
}

async function views(db: Db, rows: AliasRow[]): Promise<AliasView[]> {
  const ids = [...new Set(rows.map((r) => r.updatedById).filter((x): x is string => !!x))];
  const users = ids.length ? await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, email: true } }) : [];
  return rows.map((r) => ({
    alias: r.alias,
    versionId: r.versionId,
    updatedAt: r.updatedAt.toISOString(),
    updatedBy: users.find((u) => u.id === r.updatedById)?.email ?? null,
  }));
}

/** Points `alias` of model `modelName` at `versionId` (creating or moving it); 404 for an unknown model or a version not of that model. */
export async function setAlias(db: Db, p: { modelName: string; alias: string; versionId: string; userId?: string | null }): Promise<AliasView> {
  const rows = await db.$queryRaw<AliasRow[]>`
    INSERT INTO "ModelAlias" ("modelId", alias, "versionId", "updatedById")
    SELECT v."modelId", ${p.alias}, v.id, ${p.userId ?? null}
      FROM "ModelVersion" v JOIN "Model" m ON m.id = v."modelId"
     WHERE m.name = ${p.modelName} AND v.id = ${p.versionId}
    ON CONFLICT ("modelId", alias) DO UPDATE
      SET "versionId" = EXCLUDED."versionId", "updatedById" = EXCLUDED."updatedById", "updatedAt" = CURRENT_TIMESTAMP
    RETURNING alias, "versionId", "updatedAt", "updatedById"`;
  localChange("serving");
  if (rows.length === 0) {
    const modelId = await modelIdOf(db, p.modelName);
    const version = await db.modelVersion.findUnique({ where: { id: p.versionId }, select: { modelId: true } });
    const message = version && version.modelId !== modelId ? `version "${p.versionId}" belongs to another model, not "${p.modelName}"` : `no version of "${p.modelName}" has the id "${p.versionId}"`;
    throw notFound(message.charAt(0).toUpperCase() + message.slice(1), [{ path: "versionId", message }]);
  }
  return (await views(db, rows))[0];
}

/** Every alias of model `modelName`, by name. */
export async function listAliases(db: Db, modelName: string): Promise<AliasView[]> {
  const modelId = await modelIdOf(db, modelName);
  const rows = await db.$queryRaw<AliasRow[]>`
    SELECT alias, "versionId", "updatedAt", "updatedById" FROM "ModelAlias" WHERE "modelId" = ${modelId} ORDER BY alias`;
  return views(db, rows);
}

/** Removes an alias; 404 when the model or the alias is unknown. */
export async function deleteAlias(db: Db, modelName: string, alias: string): Promise<{ alias: string; versionId: string }> {
  const modelId = await modelIdOf(db, modelName);
  const rows = await db.$queryRaw<{ alias: string; versionId: string }[]>`
    DELETE FROM "ModelAlias" WHERE "modelId" = ${modelId} AND alias = ${alias} RETURNING alias, "versionId"`;
  localChange("serving");
  if (rows.length === 0) throw notFound(`Model "${modelName}" has no alias "${alias}"`, [{ path: "alias", message: `"${modelName}" has no alias "${alias}"` }]);
  return rows[0];
}
