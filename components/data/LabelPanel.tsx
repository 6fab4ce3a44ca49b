"use client";

import { useId } from "react";
import { ErrorBox } from "../ErrorBox";
import { LabelChart } from "../LabelChart";
import type { TableSummary } from "./useTables";
import type { DataBrowserState } from "./useDataBrowser";

/** How the chosen label column's values are spread over the whole table. */
export function LabelPanel({ browser, table }: { browser: DataBrowserState; table: TableSummary }) {
  const id = useId();
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
      ) : browser.dist.isError ? (
        <ErrorBox error={browser.dist.error} title="Could not count the labels" />
      ) : browser.dist.data ? (
        <LabelChart distribution={browser.dist.data.distribution} distinct={browser.dist.data.distinctLabels} />
      ) : (
        <div className="skeleton" style={{ height: "10rem" }} />
      )}
    </section>
  );
}
