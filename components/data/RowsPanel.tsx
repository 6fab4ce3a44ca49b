import { ErrorBox } from "../ErrorBox";
import { formatInt } from "../format";
import { Table } from "../Table";
import { TitleRow } from "../TitleRow";
import type { TableSummary } from "./useTables";
import { PAGE, type DataBrowserState } from "./useDataBrowser";

/** One page of the table's rows (or the rows containing the search), with Previous and Next. */
export function RowsPanel({ browser, table }: { browser: DataBrowserState; table: TableSummary }) {
  const page = browser.rows.data;
  const columns = page?.columns ?? table.columns;
  const last = page ? Math.min(page.total, page.offset + page.rows.length) : 0;
  return (
    <section className="card" aria-labelledby="rows-heading">
      <TitleRow id="rows-heading" title="Rows">
        <span className="spacer" />
        <span className="small muted" role="status" data-testid="rows-status" aria-busy={browser.rows.isFetching}>
          {browser.rows.isFetching && !page
            ? "Loading…"
            : page
              ? page.total === 0
                ? page.q
                  ? `No row contains "${page.q}"`
                  : "The table is empty"
                : `Rows ${formatInt(page.offset + 1)}–${formatInt(last)} of ${formatInt(page.total)}${page.q ? ` containing "${page.q}"` : ""}`
              : ""}
        </span>
      </TitleRow>
      {browser.rows.isError ? <ErrorBox error={browser.rows.error} title="Could not read the rows" /> : null}
      {page && page.rows.length > 0 ? (
        <Table columns={columns.map((c) => c.name)} testId="data-rows" className="table table-compact">
          {page.rows.map((r, i) => (
            <tr key={`${page.offset}-${i}`} data-testid="data-row">
              {columns.map((c) => (
                <td key={c.name}>
                  {r[c.name] === null ? <span className="muted">null</span> : <div className="clamp">{r[c.name]}</div>}
                </td>
              ))}
            </tr>
          ))}
        </Table>
      ) : null}
      <nav className="pager" aria-label="Rows pages">
        <button type="button" className="btn btn-small" disabled={browser.offset === 0 || browser.rows.isFetching} onClick={() => browser.setOffset(Math.max(0, browser.offset - PAGE))}>
          Previous
        </button>
        <button
          type="button"
          className="btn btn-small"
          disabled={!page || browser.offset + PAGE >= page.total || browser.rows.isFetching}
          onClick={() => browser.setOffset(browser.offset + PAGE)}
        >
          Next
        </button>
      </nav>
    </section>
  );
}
