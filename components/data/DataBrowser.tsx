"use client";

// components/data/: the Data page: browse and search tables (toolbar, rows, label distribution) and
// import a CSV or JSONL file (form, report), with the table and upload hooks.

import Link from "next/link";
import { useId } from "react";
import { ErrorBox } from "../ErrorBox";
import { LabelPanel } from "./LabelPanel";
import { RowsPanel } from "./RowsPanel";
import { useDataBrowser } from "./useDataBrowser";
import { rowCountText } from "./useTables";

/** Browse and search any table a run can read, with the label distribution of a chosen column. */
export function DataBrowser({ initialTable, isAdmin }: { initialTable?: string; isAdmin: boolean }) {
  const ids = { table: useId(), search: useId() };
  const browser = useDataBrowser(initialTable);
  const { tables, list, table, guessed, q } = browser;

  if (tables.isError) return <ErrorBox error={tables.error} title="Could not list the tables" />;
  if (tables.isLoading) return <div className="skeleton" style={{ height: "8rem" }} role="status" aria-label="Loading tables" />;
  if (!table)
    return (
      <div className="card empty">
        <p>The database has no table a training run can read yet.</p>
        <p>{isAdmin ? "Import a CSV or JSONL file below to make one." : "Ask an admin to import labelled data."}</p>
      </div>
    );

  const page = browser.rows.data;

  return (
    <>
      <div className="card">
        <div className="data-toolbar">
          <div className="field">
            <label htmlFor={ids.table}>Table</label>
            <select id={ids.table} value={table.name} onChange={(e) => browser.pick(e.target.value)}>
              {list.map((t) => (
                <option key={t.name} value={t.name}>
                  {t.name} ({rowCountText(t)})
                </option>
              ))}
            </select>
          </div>
          <form className="field data-search" role="search" onSubmit={browser.onSearch}>
            <label htmlFor={ids.search}>Search text columns</label>
            <div className="row">
              <input
                id={ids.search}
                type="search"
                value={browser.draft}
                onChange={(e) => browser.setDraft(e.target.value)}
                placeholder={page?.searched.length ? `in ${page.searched.join(", ")}` : "contains…"}
                aria-describedby={`${ids.search}-hint`}
              />
              <button type="submit" className="btn">
                Search
              </button>
              {q ? (
                <button type="button" className="btn" onClick={browser.clearSearch}>
                  Clear
                </button>
              ) : null}
            </div>
            <p className="hint" id={`${ids.search}-hint`}>
              Case-insensitive; matches rows where any text column contains the words as typed.
            </p>
          </form>
          {isAdmin ? (
            <Link
              className="btn btn-primary"
              href={`/runs/new?table=${encodeURIComponent(table.name)}${guessed.label && guessed.text ? `&columns=${encodeURIComponent(`${guessed.label},${guessed.text}`)}` : ""}`}
            >
              Train on this table
            </Link>
          ) : null}
        </div>
        <p className="small muted">
          {table.name}: {rowCountText(table)}; columns {table.columns.map((c) => `${c.name} (${c.type})`).join(", ")}.
        </p>
      </div>

      <div className="data-layout">
        <RowsPanel browser={browser} table={table} />

        <LabelPanel browser={browser} table={table} />
      </div>
    </>
  );
}
