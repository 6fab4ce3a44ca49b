"use client";

// components/models/: the Models page (each model's versions, scores over time, promote and roll
// back, export) and the useModels hook that every page listing models shares.

import Link from "next/link";
import { ErrorBox } from "../ErrorBox";
import { NewRunLink } from "../RunCells";
import { ModelCard } from "./ModelCard";
import { useModels } from "./useModels";

export function ModelsView({ isAdmin }: { isAdmin: boolean }) {
  const query = useModels();
  return (
    <section aria-labelledby="models-heading">
      <div className="page-header">
        <h1 id="models-heading">Models</h1>
        {isAdmin ? <NewRunLink /> : null}
      </div>
      <p className="muted">
        Each training run stores a new version; exactly one version per model serves predictions. Promoting an older version is
        the rollback, and every version can be exported as a standalone ONNX folder.
      </p>
      {query.isPending ? (
        <p className="muted" role="status">
          Loading models…
        </p>
      ) : query.isError ? (
        <ErrorBox error={query.error} title="Could not load the models" onRetry={() => void query.refetch()} />
      ) : query.data.models.length === 0 ? (
        <div className="card empty">
          <p>No model is configured.</p>
          {isAdmin ? <Link href="/settings">Add one in Settings</Link> : <p>Ask an admin to configure a model.</p>}
        </div>
      ) : (
        query.data.models.map((m) => <ModelCard key={m.name} model={m} isAdmin={isAdmin} />)
      )}
    </section>
  );
}
