import Link from "next/link";
import type { ReactNode } from "react";
import { ApiRequestError, errorMessage } from "./api";

interface ErrorBoxProps {
  error: unknown;
  title?: string;
  /** What the user can do next, shown under the message. */
  children?: ReactNode;
  /** Adds a Retry button that calls it. */
  onRetry?: () => void;
}

/** A visible, announced error with a next step (sign in again when the session is gone). */
export function ErrorBox({ error, title = "Something went wrong", children, onRetry }: ErrorBoxProps) {
  const status = error instanceof ApiRequestError ? error.status : undefined;
  return (
    <div className="alert alert-error" role="alert">
      <div className="alert-title">{title}</div>
      <p>{errorMessage(error)}</p>
      {status === 401 ? (
        <p>
          <Link href="/login">Sign in again</Link> to continue.
        </p>
      ) : null}
      {onRetry ? (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Retry
        </button>
      ) : null}
      {children}
    </div>
  );
}
