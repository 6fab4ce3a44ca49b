"use client";

import Link from "next/link";
import { ErrorBox } from "../ErrorBox";
import { LabelChart } from "../LabelChart";
import { useTablePreview } from "../data/useTables";
import { splitColumns } from "./requestFields";
import { chosenTable } from "./SourcePanel";
import type { NewRunFormState } from "./useNewRunForm";

/** The first rows of the chosen label and text columns, and the table's label distribution. */
export function DataPreview({ form }: { form: NewRunFormState }) {
  const { tables } = form;
  const table = chosenTable(form);
  const cols = splitColumns(form.request?.columns);
  const names = table?.columns.map((c) => c.name) ?? [];
  const colsKnown = !!table && names.includes(cols.label) && names.includes(cols.text) && cols.label !== cols.text;
  const preview = useTablePreview(table?.name ?? null, colsKnown ? cols.label : null, colsKnown ? cols.text : null, 5);

  return (
    <section className="preview" aria-labelledby="nr-preview-heading" aria-live="polite">
      <h2 id="nr-preview-heading">Preview</h2>
      {tables.isError ? (
        <ErrorBox error={tables.error} title="Could not list the tables" />
      ) : tables.isSuccess && tables.data.length === 0 ? (
        <p className="muted">
          The database has no table a run can read. <Link href="/data">Import a CSV or JSONL file</Link> first.
        </p>
      ) : !table ? (
        <p className="muted">Choose a table to see its first rows and label distribution.</p>
      ) : !colsKnown ? (
        <p className="muted">Choose two different columns of {table.name}: one holding the label, one the text.</p>
      ) : preview.isError ? (
        <ErrorBox error={preview.error} title="Could not preview the table" />
      ) : !preview.data ? (
        <div className="skeleton" style={{ height: "6rem" }} role="status" aria-label="Loading the preview" />
      ) : (
        <div data-testid="run-preview">
          <div className="table-wrap">
            <table className="table table-compact">
              <caption className="visually-hidden">First rows of {table.name}</caption>
              <thead>
                <tr>
                  <th scope="col">{cols.label}</th>
                  <th scope="col">{cols.text}</th>
                </tr>
              </thead>
              <tbody>
                {preview.data.rows.map((r, i) => (
                  <tr key={i}>
                    <td>{r[cols.label] ?? <span className="muted">null</span>}</td>
                    <td>
                      <div className="clamp">{r[cols.text] ?? <span className="muted">null</span>}</div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <LabelChart
            distribution={preview.data.distribution}
            distinct={preview.data.distinctLabels}
            caption={`Rows per label in ${table.name} (all ${preview.data.total.toLocaleString("en-US")} rows)`}
          />
          {preview.data.unusable ? (
            <p className="small muted">{preview.data.unusable.toLocaleString("en-US")} rows have no label or no text; a run skips them.</p>
          ) : null}
        </div>
      )}
    </section>
  );
}
