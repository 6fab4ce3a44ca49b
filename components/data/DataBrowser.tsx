"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useId, useState, type FormEvent } from "react";
import { guessColumns } from "@/lib/data/columns";
import { ErrorBox } from "../ErrorBox";
import { formatInt } from "../format";
import { LabelChart } from "../LabelChart";
import { Table } from "../Table";
import { rowCountText, useTablePreview, useTableRows, useTables } from "./useTables";

const PAGE = 25;

/** Browse and search any table a run can read, with the label distribution of a chosen column. */
export function DataBrowser({ initialTable, isAdmin }: { initialTable?: string; isAdmin: boolean }) {
  const router = useRouter();
  const pathname = usePathname();
  const ids = { table: useId(), search: useId(), label: useId() };
  const tables = useTables();
  const [chosen, setChosen] = useState<string | null>(initialTable ?? null);
  const [draft, setDraft] = useState("");
  const [q, setQ] = useState("");
  const [offset, setOffset] = useState(0);
  const [labelColumn, setLabelColumn] = useState<string | null>(null);

  const list = tables.data ?? [];
  const table = list.find((t) => t.name === chosen) ?? list.find((t) => t.name === "demo_email") ?? list[0] ?? null;
  const guessed = table ? guessColumns(table.columns.map((c) => c.name)) : { label: null, text: null };
  const label = labelColumn && table?.columns.some((c) => c.name === labelColumn) ? labelColumn : guessed.label;

  const rows = useTableRows(table?.name ?? null, q, offset, PAGE);
  const dist = useTablePreview(table?.name ?? null, label, null, 1);

  // A link to /data?table=… from this page (e.g. after an import) chooses that table.
  useEffect(() => {
    if (initialTable && initialTable !== chosen) pick(initialTable);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [initialTable]);

  // A chosen table missing from a list being refetched (just imported) is still on its way:
  // the URL keeps naming it rather than the fallback shown meanwhile.
  const arriving = chosen !== null && !list.some((t) => t.name === chosen) && tables.isFetching;
  useEffect(() => {
    if (table && !arriving && table.name !== initialTable) router.replace(`${pathname}?table=${encodeURIComponent(table.name)}`, { scroll: false });
    // Only when the table changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [table?.name, arriving]);

  function pick(name: string) {
    setChosen(name);
    setOffset(0);
    setQ("");
    setDraft("");
    setLabelColumn(null);
  }

  function onSearch(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setQ(draft.trim());
    setOffset(0);
  }

  if (tables.isError) return <ErrorBox error={tables.error} title="Could not list the tables" />;
  if (tables.isLoading) return <div className="skeleton" style={{ height: "8rem" }} aria-label="Loading tables" />;
  if (!table)
    return (
      <div className="card empty">
        <p>The database has no table a training run can read yet.</p>
        <p>{isAdmin ? "Import a CSV or JSONL file below to make one." : "Ask an admin to import labelled data."}</p>
      </div>
    );

  const page = rows.data;
  const columns = page?.columns ?? table.columns;
  const last = page ? Math.min(page.total, page.offset + page.rows.length) : 0;

  return (
    <>
      <div className="card">
        <div className="data-toolbar">
          <div className="field">
            <label htmlFor={ids.table}>Table</label>
            <select id={ids.table} value={table.name} onChange={(e) => pick(e.target.value)}>
              {list.map((t) => (
                <option key={t.name} value={t.name}>
                  {t.name} ({rowCountText(t)})
                </option>
              ))}
            </select>
          </div>
          <form className="field data-search" role="search" onSubmit={onSearch}>
            <label htmlFor={ids.search}>Search text columns</label>
            <div className="row">
              <input
                id={ids.search}
                type="search"
                value={draft}
                onChange={(e) => setDraft(e.target.value)}
                placeholder={page?.searched.length ? `in ${page.searched.join(", ")}` : "contains…"}
                aria-describedby={`${ids.search}-hint`}
              />
              <button type="submit" className="btn">
                Search
              </button>
              {q ? (
                <button
                  type="button"
                  className="btn"
                  onClick={() => {
                    setQ("");
                    setDraft("");
                    setOffset(0);
                  }}
                >
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
        <section className="card" aria-labelledby="rows-heading">
          <div className="row">
            <h2 id="rows-heading" style={{ margin: 0 }}>
              Rows
            </h2>
            <span className="spacer" />
            <span className="small muted" role="status" data-testid="rows-status" aria-busy={rows.isFetching}>
              {rows.isFetching && !page
                ? "Loading…"
                : page
                  ? page.total === 0
                    ? page.q
                      ? `No row contains "${page.q}"`
                      : "The table is empty"
                    : `Rows ${formatInt(page.offset + 1)}–${formatInt(last)} of ${formatInt(page.total)}${page.q ? ` containing "${page.q}"` : ""}`
                  : ""}
            </span>
          </div>
          {rows.isError ? <ErrorBox error={rows.error} title="Could not read the rows" /> : null}
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
            <button type="button" className="btn btn-small" disabled={offset === 0 || rows.isFetching} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
              Previous
            </button>
            <button
              type="button"
              className="btn btn-small"
              disabled={!page || offset + PAGE >= page.total || rows.isFetching}
              onClick={() => setOffset(offset + PAGE)}
            >
              Next
            </button>
          </nav>
        </section>

        <section className="card" aria-labelledby="dist-heading">
          <h2 id="dist-heading">Label distribution</h2>
          <div className="field">
            <label htmlFor={ids.label}>Label column</label>{" "}
            <select id={ids.label} value={label ?? ""} onChange={(e) => setLabelColumn(e.target.value || null)}>
              <option value="">Choose a column…</option>
              {table.columns.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
          {!label ? (
            <p className="muted">Choose the column that holds the labels.</p>
          ) : dist.isError ? (
            <ErrorBox error={dist.error} title="Could not count the labels" />
          ) : dist.data ? (
            <LabelChart distribution={dist.data.distribution} distinct={dist.data.distinctLabels} />
          ) : (
            <div className="skeleton" style={{ height: "10rem" }} />
          )}
        </section>
      </div>
    </>
  );
}
