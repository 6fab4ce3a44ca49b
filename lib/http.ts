import { NextResponse } from "next/server";
import type { ApiError } from "./runs/types";

// Route handlers stay thin: they throw HttpError (or return) and `route` turns errors into JSON.

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues?: ApiError["issues"],
  ) {
    super(message);
  }
}

export function json<T>(body: T, status = 200): NextResponse {
  return NextResponse.json(body, { status });
}

export function badRequest(issues: NonNullable<ApiError["issues"]>): HttpError {
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join("; ");
  return new HttpError(400, `Invalid request: ${summary}`, issues);
}

export async function readJson(req: Request): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    throw new HttpError(400, "The body is not valid JSON", [{ path: "(body)", message: "is not valid JSON" }]);
  }
}

type Handler<C> = (req: Request, ctx: C) => Promise<Response>;

export function route<C>(handler: Handler<C>): Handler<C> {
  return async (req, ctx) => {
    try {
      return await handler(req, ctx);
    } catch (err) {
      if (err instanceof HttpError) {
        const body: ApiError = { error: err.message, ...(err.issues ? { issues: err.issues } : {}) };
        return NextResponse.json(body, { status: err.status });
      }
      console.error(err);
      return NextResponse.json({ error: `Internal error: ${(err as Error).message}` } satisfies ApiError, { status: 500 });
    }
  };
}
