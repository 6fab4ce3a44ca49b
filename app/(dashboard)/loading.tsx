export default function Loading() {
  return (
    <div aria-busy="true">
      <div className="skeleton" style={{ width: "30%", height: "1.6rem" }} />
      <div className="card">
        <div className="skeleton" />
        <div className="skeleton" />
        <div className="skeleton" />
      </div>
      <p className="visually-hidden" role="status">
        Loading…
      </p>
    </div>
  );
}
