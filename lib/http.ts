import { randomUUID } from "node:crypto";
import { NextResponse } from "next/server";
import { knownDbError } from "./db/errors";
import { AppError, badRequest, type ApiError } from "./errors";

// Route handlers stay thin: they and the domain modules throw AppError (lib/errors.ts), and
// `route` is the one place that turns errors into JSON. Bodies are read here, as streams with a
// byte limit, so no route buffers more than it accepts.

export function json<T>(body: T, status = 200, headers?: Record<string, string>): NextResponse {
  return NextResponse.json(body, { status, headers });
}

/** The JSON body limit of every route unless it names another. */
export const JSON_BODY_LIMIT = 1024 * 1024;

export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${+(n / 1024 / 1024).toFixed(1)} MB` : `${+(n / 1024).toFixed(1)} KB`;
}

export function tooLarge(limit: number, field = "(body)", advice = ""): AppError {
  return new AppError("too_large", 413, `The request body is larger than ${formatBytes(limit)}, the most this route accepts.${advice ? ` ${advice}` : ""}`, [
    { path: field, message: `is larger than ${formatBytes(limit)}` },
  ]);
}

/**
 * The request body as chunks, counted: refused at once (413) when Content-Length says it is over
 * `limit`, and stopped (413, the rest unread) as soon as a chunk takes it over, so chunked uploads
 * without Content-Length are bounded too.
 */
export async function* bodyChunks(req: Request, limit: number, tooLargeError: () => AppError = () => tooLarge(limit)): AsyncGenerator<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (declared > limit) throw tooLargeError();
  if (!req.body) return;
  const reader = req.body.getReader();
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      bytes += value.byteLength;
      if (bytes > limit) throw tooLargeError();
      yield value;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

const NUL = "\u0000";
const MAX_JSON_DEPTH = 64;

/**
 * Refuses (400, naming the field) a NUL character in any string or key of a JSON body, since
 * PostgreSQL cannot store one in text, and nesting deeper than any route takes. Walks with its
 * own stack, so no body can overflow the call stack.
 */
function checkJsonValue(root: unknown): void {
  const stack: { value: unknown; path: string[] }[] = [{ value: root, path: [] }];
  while (stack.length) {
    const { value, path } = stack.pop()!;
    const where = path.join(".") || "(body)";
    if (typeof value === "string") {
      if (value.includes(NUL)) throw badRequest([{ path: where, message: "holds a NUL character (\\u0000), which cannot be stored" }]);
    } else if (typeof value === "object" && value !== null) {
      if (path.length >= MAX_JSON_DEPTH) throw badRequest([{ path: where, message: `is nested deeper than ${MAX_JSON_DEPTH} levels` }]);
      for (const [k, v] of Object.entries(value)) {
        if (k.includes(NUL)) throw badRequest([{ path: where, message: "has a key holding a NUL character (\\u0000)" }]);
        stack.push({ value: v, path: [...path, k] });
      }
    }
  }
}

/** Query parameters and route parameters holding a NUL character: 400 naming the parameter. */
async function checkParams(req: Request, ctx: unknown): Promise<void> {
  for (const [k, v] of new URL(req.url).searchParams) {
    if (k.includes(NUL) || v.includes(NUL)) throw badRequest([{ path: k.replaceAll(NUL, "\\u0000"), message: "holds a NUL character (\\u0000)" }]);
  }
  const params = await (ctx as { params?: Promise<Record<string, string | string[] | undefined>> } | undefined)?.params;
  for (const [k, v] of Object.entries(params ?? {})) {
    if ([v ?? ""].flat().some((x) => x.includes(NUL))) throw badRequest([{ path: k, message: "holds a NUL character (\\u0000)" }]);
  }
}

/** A JSON media type: application/json, or any application/…+json. */
function isJsonType(contentType: string | null): boolean {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  return type === "application/json" || /^application\/[\w.+-]+\+json$/.test(type);
}

/**
 * The route's JSON body: 415 unless sent as application/json, 413 past `limit` bytes (checked
 * while reading, before the whole body is held), 400 when it is not JSON or holds a NUL.
 */
export async function readJson(req: Request, { limit = JSON_BODY_LIMIT }: { limit?: number } = {}): Promise<unknown> {
  if (!isJsonType(req.headers.get("content-type"))) {
    throw new AppError("unsupported_media_type", 415, "Send the body as JSON, with the header content-type: application/json", [
      { path: "content-type", message: `must be application/json (got ${JSON.stringify(req.headers.get("content-type") ?? "none")})` },
    ]);
  }
  const chunks: Uint8Array[] = [];
  for await (const chunk of bodyChunks(req, limit)) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError("invalid_request", 400, text.trim() === "" ? "The body is empty: send a JSON object" : "The body is not valid JSON", [
      { path: "(body)", message: "is not valid JSON" },
    ]);
  }
  checkJsonValue(value);
  return value;
}

/** Logs an unexpected error with a new reference; returns the message the caller may see. */
export function logInternalError(where: string, err: unknown): string {
  const reference = randomUUID().slice(0, 8);
  console.error(`[api] ${where}: internal error, reference ${reference}:`, err);
  return `Internal error (reference ${reference})`;
}

type Handler<C> = (req: Request, ctx: C) => Promise<Response>;

function errorResponse(err: AppError): NextResponse {
  const body: ApiError = { error: err.message, ...(err.issues ? { issues: err.issues } : {}) };
  return NextResponse.json(body, { status: err.status });
}

/**
 * Wraps a route handler: NUL characters in its parameters are refused (400); AppErrors and the
 * database's known refusals (duplicates, missing rows, text PostgreSQL cannot store) become 4xx JSON; anything else is a generic 500 whose reference
 * is logged with the detail, which never reaches the caller.
 */
export function route<C>(handler: Handler<C>): Handler<C> {
  return async (req, ctx) => {
    try {
      await checkParams(req, ctx);
      return await handler(req, ctx);
    } catch (err) {
      if (err instanceof AppError) return errorResponse(err);
      const known = knownDbError(err);
      if (known) return errorResponse(new AppError("database_refused", known.status, known.message, known.issues));
      return NextResponse.json({ error: logInternalError(`${req.method} ${new URL(req.url).pathname}`, err) } satisfies ApiError, { status: 500 });
    }
  };
}
