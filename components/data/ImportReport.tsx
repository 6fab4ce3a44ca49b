import { formatInt } from "../format";
import { LabelChart } from "../LabelChart";
import { numeric, TableHead } from "../Table";
import type { ImportAnswer } from "./useImport";

/** The dry-run check: lines accepted and rejected (with why), the first accepted lines, and their labels. */
export function ImportReport({ report }: { report: ImportAnswer }) {
  return (
    <section className="import-report" aria-labelledby="import-report-heading" data-testid="import-report">
      <h3 id="import-report-heading">
        Check: <span data-testid="import-accepted">{formatInt(report.accepted)}</span> lines accepted,{" "}
        <span data-testid="import-rejected">{formatInt(report.rejectedCount)}</span> rejected ({report.format.toUpperCase()}; fields {report.columns.join(", ")})
      </h3>
      {!report.label || !report.text ? (
        <p className="alert alert-warn">Choose which field holds the label and which the text, then check again.</p>
      ) : null}
      {report.warnings.length > 0 ? (
        <div className="alert alert-warn" data-testid="import-warnings">
          {report.warnings.map((w) => (
            <p key={w} data-testid="import-warning">
              {w}
            </p>
          ))}
        </div>
      ) : null}
      {report.duplicates.examples.length > 0 ? (
        <details>
          <summary>Repeated texts{report.duplicates.texts > report.duplicates.examples.length ? ` (first ${report.duplicates.examples.length} listed)` : ""}</summary>
          <div className="table-wrap rejected-wrap">
            <table className="table table-compact" data-testid="duplicate-texts">
              <TableHead columns={["Lines", "Labels", "Text"]} />
              <tbody>
                {report.duplicates.examples.map((d) => (
                  <tr key={d.lines[0]}>
                    <td className="cell-number">{d.lines.join(", ")}</td>
                    <td>{d.labels.join(", ")}</td>
                    <td>
                      <div className="clamp">{d.text}</div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      ) : null}
      {report.rejectedCount > 0 ? (
        <details open={report.rejectedCount <= 20}>
          <summary>Rejected lines{report.rejectedCount > report.rejected.length ? ` (first ${report.rejected.length} listed)` : ""}</summary>
          <div className="table-wrap rejected-wrap">
            <table className="table table-compact" data-testid="rejected-lines">
              <TableHead columns={[numeric("Line"), "Reason"]} />
              <tbody>
                {report.rejected.map((r, i) => (
                  <tr key={i} data-testid="rejected-line" data-line={r.line}>
                    <td className="num">{r.line}</td>
                    <td>{r.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      ) : null}
      {report.preview.length > 0 ? (
        <div className="grid-2">
          <div className="table-wrap">
            <table className="table table-compact">
              <caption className="small muted">First accepted lines</caption>
              <TableHead columns={[numeric("Line"), "label", "text"]} />
              <tbody>
                {report.preview.map((r) => (
                  <tr key={r.line}>
                    <td className="num">{r.line}</td>
                    <td>{r.label}</td>
                    <td>
                      <div className="clamp">{r.text}</div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <LabelChart distribution={report.distribution} caption="Accepted lines per label" />
        </div>
      ) : null}
    </section>
  );
}
