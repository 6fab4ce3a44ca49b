import { z } from "zod";

// The name of a table made by an import: a lower-case SQL identifier, so it works quoted or not.
// Shared by the import form and the import route (which also checks it against the catalogue).

export const TABLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export const tableNameSchema = z
  .string({ error: "must be a table name" })
  .trim()
  .regex(TABLE_NAME, { error: "must be 1-63 lower-case letters, digits or '_', starting with a letter or '_'" })
  .refine((s) => !s.startsWith("pg_"), { error: 'must not start with "pg_" (reserved by PostgreSQL)' });

export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;
