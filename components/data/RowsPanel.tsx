import { ErrorBox } from "../ErrorBox";
import { formatInt } from "../format";
import { Table } from "../Table";
import { TitleRow } from "../TitleRow";
import type { TableSummary } from "./useTables";
import { Highlight } from "./Highlight";
import { PAGE, type DataBrowserState } from "./useDataBrowser";

/** Column types shown as numbers: right-aligned, tabular digits, never wrapped. */
const NUMBER_TYPES = new Set(["smallint", "integer", "bigint", "numeric", "real", "double precision"]);

/** One page of the table's rows in key order (or the rows containing the search, matches marked), with Previous and Next. */
export function RowsPanel({ browser, table }: { browser: DataBrowserState; table: TableSummary }) {
  const page = browser.rows.data;
  const columns = page?.columns ?? table.columns;
  const searched = new Set(page?.q ? page.searched : []);
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
        <Table
          columns={columns.map((c) => ({ label: c.name, num: NUMBER_TYPES.has(c.type) }))}
          caption={page.orderedBy.length ? `ordered by ${page.orderedBy.join(", ")}` : undefined}
          testId="data-rows"
          className="table table-compact"
        >
          {page.rows.map((r, i) => (
            <tr key={`${page.offset}-${i}`} data-testid="data-row">
              {columns.map((c) => {
                const v = r[c.name];
                if (v === null)
                  return (
                    <td key={c.name}>
                      <span className="muted">null</span>
                    </td>
                  );
                if (NUMBER_TYPES.has(c.type))
                  return (
                    <td key={c.name} className="num cell-number">
                      {v}
                    </td>
                  );
                return (
                  <td key={c.name}>
                    <div className="clamp">{searched.has(c.name) ? <Highlight text={v} q={page.q} /> : v}</div>
                  </td>
                );
              })}
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
