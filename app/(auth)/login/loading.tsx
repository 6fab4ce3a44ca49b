export default function Loading() {
  return (
    <main className="auth-wrap" aria-busy="true">
      <div className="card auth-card">
        <h1>Sign in</h1>
        <div className="skeleton" />
        <div className="skeleton" />
        <p className="muted" role="status">
          Loading…
        </p>
      </div>
    </main>
  );
}
