import { z } from "zod";

// What people call a run, their notes and tags: edited with PATCH /api/runs/:id, or given with
// the request that queues it (POST /api/runs). Text is trimmed; empty text or null clears a field.
// Tags: letters, digits, "-", "_" and "."; trimmed, deduplicated (first spelling kept), at most 20.

export const RUN_NAME_MAX = 120;
export const RUN_NOTES_MAX = 10_000;
export const RUN_TAGS_MAX = 20;
export const RUN_TAG_MAX = 40;
export const RUN_TAG_PATTERN = /^[\p{L}\p{N}_.-]+$/u;
export const RUN_META_FIELDS = ["name", "notes", "tags"] as const;

const text = (max: number, what: string) =>
  z
    .string({ error: `must be ${what} (a string), or null` })
    .trim()
    .max(max, { error: `must be at most ${max} characters` })
    .nullable()
    .transform((s) => (s ? s : null));

export const runTag = z
  .string({ error: "must be a string" })
  .trim()
  .min(1, { error: "must not be empty", abort: true })
  .max(RUN_TAG_MAX, { error: `must be at most ${RUN_TAG_MAX} characters` })
  .regex(RUN_TAG_PATTERN, { error: 'may hold only letters, digits, "-", "_" and "."' });

const tags = z
  .array(runTag, { error: 'must be a list of tags like ["baseline", "v2"], or null' })
  .nullable()
  .transform((list) => [...new Set(list ?? [])])
  .refine((list) => list.length <= RUN_TAGS_MAX, { error: `must hold at most ${RUN_TAGS_MAX} different tags` });

export const runMetaShape = {
  name: text(RUN_NAME_MAX, "a name").optional(),
  notes: text(RUN_NOTES_MAX, "notes").optional(),
  tags: tags.optional(),
};

/** PATCH /api/runs/:id's body: any of name, notes, tags; any other field is refused. */
export const runMetaPatchSchema = z.strictObject(runMetaShape, { error: 'must be a JSON object like {"name": "…", "tags": ["…"]}' });

export type RunMetaPatch = z.output<typeof runMetaPatchSchema>;

/** Tags typed as one line ("baseline, v2 small") → the list the API takes. */
export const splitTags = (line: string): string[] => line.split(/[\s,]+/).filter(Boolean);
