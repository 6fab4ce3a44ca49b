import Link from "next/link";
import type { ReactNode } from "react";
import { ApiRequestError, errorMessage } from "./api";

interface ErrorBoxProps {
  error: unknown;
  title?: string;
  /** What the user can do next, shown under the message. */
  children?: ReactNode;
}

/** A visible, announced error with a next step (sign in again when the session is gone). */
export function ErrorBox({ error, title = "Something went wrong", children }: ErrorBoxProps) {
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
      {children}
    </div>
  );
}
