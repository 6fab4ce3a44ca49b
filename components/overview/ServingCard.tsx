import Link from "next/link";
import type { OverviewModel } from "@/lib/dashboard/types";
import { formatDateTime, formatPercent } from "../format";
import { Stat } from "../Stat";

/** A model's serving version: its scores, where it came from, and who promoted it when. */
export function ServingCard({ model, isAdmin }: { model: OverviewModel; isAdmin: boolean }) {
  const s = model.serving;
  return (
    <article className="card" data-testid="overview-model" data-model={model.name} aria-labelledby={`model-${model.name}`}>
      <div className="row">
        <h3 id={`model-${model.name}`} style={{ margin: 0 }}>
          {model.name}
        </h3>
        {model.isDefault ? <span className="badge badge-role">default</span> : null}
        <span className="muted small">{model.kind}</span>
        <span className="spacer" />
        <Link href="/models" className="small">
          {model.versionCount} version{model.versionCount === 1 ? "" : "s"}
        </Link>
      </div>
      {s ? (
        <>
          <dl className="stats" style={{ margin: "0.75rem 0" }}>
            <Stat label="Accuracy" testId="serving-accuracy">
              {formatPercent(s.accuracy)}
            </Stat>
            <Stat label="F1 (weighted)">{formatPercent(s.f1)}</Stat>
            <Stat label="Macro F1">{formatPercent(s.macroF1)}</Stat>
          </dl>
          <p className="small muted" style={{ margin: 0 }}>
            <span className="badge badge-serving">Serving</span> version <code data-testid="serving-version">{s.versionId.slice(0, 10)}</code>
            {s.runId ? (
              <>
                {" "}
                from <Link href={`/runs/${s.runId}`}>run {s.runId.slice(0, 8)}</Link>
              </>
            ) : null}
            {s.samples ? <>, measured on {s.samples.toLocaleString("en-US")} held-out rows</> : null}.
          </p>
          <p className="small muted" style={{ margin: "0.25rem 0 0" }} data-testid="promoted">
            Promoted {model.promotedAt ? <time dateTime={model.promotedAt}>{formatDateTime(model.promotedAt)}</time> : "at an unknown time"}
            {model.promotedBy ? <> by {model.promotedBy}</> : null}. Labels: {s.labels.join(", ")}
          </p>
        </>
      ) : (
        <div className="empty" style={{ padding: "1rem 0" }} data-testid="nothing-serving">
          <p style={{ marginBottom: "0.5rem" }}>Nothing serves predictions for {model.name} yet.</p>
          {isAdmin ? (
            <p>
              <Link href="/runs/new">Start a run</Link>, then press <strong>Override</strong> on its page.
            </p>
          ) : (
            <p>Ask an admin to start a run and press Override.</p>
          )}
        </div>
      )}
    </article>
  );
}
