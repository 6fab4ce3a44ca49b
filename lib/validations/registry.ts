import { z } from "zod";

// The registry's request bodies: a model's named aliases (besides its serving pointer) and a
// version's description. No server-only imports: the Models page checks with these too.

/** The name the serving pointer goes by: no alias may take it. */
export const RESERVED_ALIAS = "serving";
export const ALIAS_PATTERN = /^[a-z0-9_-]{1,40}$/;
export const VERSION_DESCRIPTION_MAX = 2000;

export const aliasName = z
  .string({ error: "must be a string" })
  .refine((s) => ALIAS_PATTERN.test(s), { error: "must be 1–40 characters of lowercase letters, digits, - and _" })
  .refine((s) => s !== RESERVED_ALIAS, { error: `"${RESERVED_ALIAS}" is reserved for the serving version: choose another name` });

const versionId = z.string({ error: "must be a version id" }).min(1, { error: "must be a version id" });

/** POST /api/models/:name/aliases */
export const setAliasSchema = z.strictObject({ alias: aliasName, versionId });

/** PATCH /api/models/:name/versions/:id */
export const versionPatchSchema = z.strictObject({
  description: z
    .string({ error: "must be a string (empty removes it)" })
    .max(VERSION_DESCRIPTION_MAX, { error: `must be at most ${VERSION_DESCRIPTION_MAX.toLocaleString("en")} characters` }),
});

/** One alias of a model (GET /api/models/:name/aliases → { model, aliases }). */
export interface AliasView {
  alias: string;
  versionId: string;
  updatedAt: string;
  updatedBy: string | null;
}
