import Link from "next/link";
import { formatDateTime, formatPercent } from "../format";
import { numeric, Table } from "../Table";
import type { ModelPromotion } from "./useModelPromotion";
import type { ModelRow } from "./useModels";
import type { Registry } from "./useRegistry";
import { VersionAliases } from "./VersionAliases";
import { VersionDescription } from "./VersionDescription";

export function exportHref(versionId: string): string {
  return `/api/models/versions/${encodeURIComponent(versionId)}/export`;
}

/** Every version of a model, newest first: a box to pick its run for comparing, its description, scores, aliases, the serving badge or Promote, and the export download. */
export function VersionsTable({
  model,
  isAdmin,
  promotion,
  registry,
  selectedRuns,
  onSelectRun,
}: {
  model: ModelRow;
  isAdmin: boolean;
  promotion: ModelPromotion;
  registry: Registry;
  selectedRuns: ReadonlySet<string>;
  onSelectRun: (runId: string, selected: boolean) => void;
}) {
  const { numberOf } = promotion;
  return (
    <Table
      columns={[{ label: <span className="visually-hidden">Compare</span> }, "Version", "Created", "Run", "Labels", numeric("Accuracy"), numeric("F1 (w)"), numeric("Macro F1"), "Aliases", "Serving", "Export"]}
      caption={`Versions of ${model.name}, newest first`}
      testId="versions-table"
    >
      {model.versions.map((v) => (
        <tr key={v.id} data-testid="version-row" data-version-id={v.id} data-serving={v.serving}>
          <td>
            {v.runId ? (
              <input
                type="checkbox"
                checked={selectedRuns.has(v.runId)}
                onChange={(e) => onSelectRun(v.runId!, e.target.checked)}
                aria-label={`Compare the run of v${numberOf(v.id)}`}
                data-testid="compare-select"
              />
            ) : null}
          </td>
          <th scope="row">
            v{numberOf(v.id)} <code className="small muted">{v.id.slice(0, 10)}</code>
            <VersionDescription versionId={v.id} description={v.description ?? null} isAdmin={isAdmin} registry={registry} versionLabel={`v${numberOf(v.id)} of ${model.name}`} />
          </th>
          <td>{formatDateTime(v.createdAt)}</td>
          <td>{v.runId ? <Link href={`/runs/${v.runId}`}>{v.runId.slice(0, 8)}</Link> : <span className="muted">—</span>}</td>
          <td className="small">{v.labels.join(", ")}</td>
          <td className="num">{formatPercent(v.accuracy)}</td>
          <td className="num">{formatPercent(v.f1)}</td>
          <td className="num">{formatPercent(v.macroF1)}</td>
          <td data-testid="version-aliases">
            <VersionAliases aliases={v.aliases ?? []} isAdmin={isAdmin} registry={registry} versionLabel={`v${numberOf(v.id)} of ${model.name}`} />
          </td>
          <td>
            {v.serving ? (
              <span className="badge badge-serving" data-testid="version-serving-badge">
                Serving
              </span>
            ) : isAdmin ? (
              <button type="button" className="btn btn-small" onClick={() => promotion.ask(v, false)} aria-label={`Promote v${numberOf(v.id)} of ${model.name}`}>
                Promote
              </button>
            ) : (
              <span className="muted small">—</span>
            )}
          </td>
          <td>
            <a href={exportHref(v.id)} download className="small" aria-label={`Export v${numberOf(v.id)} of ${model.name}`}>
              Download
            </a>
          </td>
        </tr>
      ))}
    </Table>
  );
}
