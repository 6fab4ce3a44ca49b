"use client";

import { useId } from "react";
import { ErrorBox } from "../ErrorBox";
import { formatInt } from "../format";
import { LabelChart } from "../LabelChart";
import type { TableSummary } from "./useTables";
import type { DataBrowserState } from "./useDataBrowser";

/** How the chosen label column's values are spread over the rows shown: the whole table, or those the search finds. */
export function LabelPanel({ browser, table }: { browser: DataBrowserState; table: TableSummary }) {
  const id = useId();
  const page = browser.rows.data;
  const counts = page?.labels && page.labels.column === browser.label ? page.labels : null;
  return (
    <section className="card" aria-labelledby="dist-heading">
      <h2 id="dist-heading">Label distribution</h2>
      <div className="field">
        <label htmlFor={id}>Label column</label>{" "}
        <select id={id} value={browser.label ?? ""} onChange={(e) => browser.setLabelColumn(e.target.value || null)}>
          <option value="">Choose a column…</option>
          {table.columns.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name}
            </option>
          ))}
        </select>
      </div>
      {!browser.label ? (
        <p className="muted">Choose the column that holds the labels.</p>
      ) : browser.rows.isError ? (
        <ErrorBox error={browser.rows.error} title="Could not count the labels" />
      ) : counts && page ? (
        <LabelChart
          distribution={counts.distribution}
          distinct={counts.distinctLabels}
          caption={page.q ? `The ${formatInt(page.total)} rows containing "${page.q}"` : `All ${formatInt(page.total)} rows`}
        />
      ) : (
        <div className="skeleton" style={{ height: "10rem" }} />
      )}
    </section>
  );
}
