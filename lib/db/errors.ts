// The database's refusals that are the caller's doing, as HTTP answers: the one place that knows
// Prisma's error codes (P2002…) and PostgreSQL's SQLSTATEs (23505…), for `route()` in lib/http.ts.
// A duplicate created by two requests at once is a 409 naming the field, not a 500.

export interface KnownDbError {
  status: 400 | 404 | 409;
  message: string;
  issues: { path: string; message: string }[];
}

type Loose = Record<string, unknown> | undefined;

const obj = (v: unknown): Loose => (typeof v === "object" && v !== null ? (v as Record<string, unknown>) : undefined);

/** Prisma's code, PostgreSQL's SQLSTATE and the driver adapter's kind, wherever this Prisma version put them. */
function codesOf(err: unknown): { codes: Set<string>; fields: string[]; model?: string; text: string } {
  const e = obj(err);
  const meta = obj(e?.meta);
  const adapter = obj(meta?.driverAdapterError) ?? obj(e?.cause);
  const cause = obj(adapter?.cause) ?? adapter;
  const codes = new Set(
    [e?.code, meta?.code, cause?.kind, cause?.originalCode, cause?.code, obj(e?.cause)?.code].filter((c): c is string => typeof c === "string"),
  );
  const constraint = obj(cause?.constraint);
  const target = meta?.target;
  const fields = Array.isArray(constraint?.fields)
    ? (constraint.fields as string[])
    : Array.isArray(target)
      ? (target as string[])
      : typeof target === "string"
        ? [target]
        : typeof constraint?.index === "string"
          ? [constraint.index as string]
          : [];
  const text = [e?.message, meta?.message, cause?.originalMessage, cause?.message].filter((m) => typeof m === "string").join(" ");
  return { codes, fields, model: typeof meta?.modelName === "string" ? meta.modelName : undefined, text };
}

/** "User_email_key" → "email"; quoted or bare column names stay as they are. */
function fieldName(f: string): string {
  const m = /^[A-Za-z0-9]+_(.+)_key$/.exec(f);
  return (m ? m[1]! : f).replace(/"/g, "");
}

const has = (codes: Set<string>, ...wanted: string[]) => wanted.some((w) => codes.has(w));

/** The HTTP answer for a database error the caller caused, or null for a real internal error. */
export function knownDbError(err: unknown): KnownDbError | null {
  const { codes, fields, model, text } = codesOf(err);
  const rawSqlState = /Code: `(\w{5})`/.exec(text)?.[1];
  if (rawSqlState) codes.add(rawSqlState);
  if (has(codes, "P2002", "23505", "UniqueConstraintViolation") || /duplicate key value violates unique constraint/.test(text)) {
    const names = fields.map(fieldName);
    const path = names.join(",") || "(body)";
    const what = model ? `a ${model.toLowerCase()}` : "a record";
    return {
      status: 409,
      message: `${names.length ? `The ${names.join(", ")} is already used by ${what}` : "That already exists"}: choose another`,
      issues: [{ path, message: "is already used" }],
    };
  }
  if (has(codes, "42P07") || /relation "[^"]*" already exists/.test(text)) {
    return { status: 409, message: "A table of that name already exists: choose another name", issues: [{ path: "table", message: "already exists" }] };
  }
  if (has(codes, "22P05", "22021") || /\\u0000|0x00/.test(text)) {
    return {
      status: 400,
      message: "The request holds a NUL character (\\u0000), which PostgreSQL cannot store in text",
      issues: [{ path: "(body)", message: "holds a NUL character" }],
    };
  }
  if (has(codes, "P2025", "RecordNotFound")) return { status: 404, message: "Not found: it may have been removed meanwhile", issues: [] };
  if (has(codes, "P2003", "23503", "ForeignKeyConstraintViolation")) {
    return { status: 409, message: "It is still referenced, or refers to something that no longer exists", issues: [] };
  }
  if (has(codes, "P2000", "22001", "LengthMismatch")) {
    return { status: 400, message: "A value is longer than the database column allows", issues: [{ path: fields.map(fieldName).join(",") || "(body)", message: "is too long" }] };
  }
  return null;
}
