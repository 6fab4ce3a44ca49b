"use client";

export default function DashboardError({ error, retry }: { error: unknown; retry: () => void }) {
  const message = error instanceof Error && error.message ? error.message : "An unexpected error occurred.";
  return (
    <div className="alert alert-error" role="alert">
      <div className="alert-title">This page could not be shown</div>
      <p>{message}</p>
      <button type="button" className="btn" onClick={() => retry()}>
        Try again
      </button>
    </div>
  );
}
