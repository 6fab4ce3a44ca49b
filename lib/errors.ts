// The one error type of the product: a domain module throws AppError(code, status, message, issues)
// and the route wrapper (lib/http.ts route) answers it as JSON ({ error, issues }) with its status.
// Also the API's shared error shapes. No server-only imports: pages and forms use these types too.

/** One field-level problem: path names the field ("p_of_train", "columns", …). */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Any 4xx/5xx from the API */
export interface ApiError {
  error: string;
  /** field-level problems for 400s: path is the field name ("p_of_train", "columns", …) */
  issues?: FieldIssue[];
}

export class AppError extends Error {
  constructor(
    /** stable and machine-readable: "invalid_request", "not_found", "nothing_serving", … */
    readonly code: string,
    readonly status: number,
    message: string,
    readonly issues?: FieldIssue[],
  ) {
    super(message);
    this.name = "AppError";
  }
}

/**
 * A run (or a loop of one) stopped because its AbortSignal fired: cancelled on request, its worker
 * stopping, or the run no longer this worker's. Long loops check `signal.aborted` where they yield.
 */
export class CancelledError extends Error {
  constructor(message = "training was cancelled") {
    super(message);
    this.name = "CancelledError";
  }
}

/** Throws a CancelledError when the signal has fired. */
export function throwIfCancelled(signal: AbortSignal | undefined, message?: string): void {
  if (signal?.aborted) throw new CancelledError(message);
}

/** 400 naming every field that is wrong. */
export function badRequest(issues: FieldIssue[]): AppError {
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join("; ");
  return new AppError("invalid_request", 400, `Invalid request: ${summary}`, issues);
}

export const notFound = (message: string, issues?: FieldIssue[]) => new AppError("not_found", 404, message, issues);
export const conflict = (message: string, issues?: FieldIssue[]) => new AppError("conflict", 409, message, issues);
