"use client";

import { useId, useState, type ChangeEvent } from "react";
import { guessTextColumn, parseCsv, type CsvTable } from "@/lib/dashboard/csv";
import { PREDICT_MAX } from "./usePredict";

export type CsvColumnState = ReturnType<typeof useCsvColumn>;

/** A CSV file read in the browser and the column that holds the texts. */
export function useCsvColumn() {
  const [csv, setCsv] = useState<{ fileName: string; table: CsvTable } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [column, setColumn] = useState(-1);

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    setCsv(null);
    setError(null);
    setColumn(-1);
    if (!file) return;
    try {
      const table = parseCsv(await file.text());
      if (table.header.length === 0 || table.rows.length === 0) {
        setError("The file has no rows under its header line. The first line must name the columns.");
        return;
      }
      setCsv({ fileName: file.name, table });
      setColumn(guessTextColumn(table));
    } catch (err) {
      setError(`Could not read the file: ${(err as Error).message}`);
    }
  }

  /** The column's non-empty texts, or why there are none. */
  function texts(): string[] | string {
    if (!csv) return "Choose a CSV file first.";
    if (column < 0) return "Choose the column that holds the text.";
    const all = csv.table.rows.map((r) => (r[column] ?? "").trim()).filter((t) => t.length > 0);
    return all.length > 0 ? all : `The column "${csv.table.header[column]}" is empty in every row.`;
  }

  return { csv, error, column, setColumn, onFile, texts };
}

/** The file picker, and once read, the column choice with the first values. */
export function CsvColumnInput({ state }: { state: CsvColumnState }) {
  const fileId = useId();
  const columnId = useId();
  const { csv, column } = state;
  return (
    <>
      <div className="field">
        <label htmlFor={fileId}>CSV file</label>
        <input id={fileId} type="file" accept=".csv,.tsv,text/csv,text/tab-separated-values,text/plain" onChange={state.onFile} aria-describedby={`${fileId}-hint`} />
        <p className="hint" id={`${fileId}-hint`}>
          The first line names the columns; comma, semicolon or tab separated. Read in your browser; up to {PREDICT_MAX.toLocaleString("en-US")} rows are classified.
        </p>
      </div>
      {state.error ? (
        <div className="alert alert-error" role="alert">
          {state.error}
        </div>
      ) : null}
      {csv ? (
        <div className="field" data-testid="csv-summary">
          <label htmlFor={columnId}>Text column</label>{" "}
          <select id={columnId} value={column} onChange={(e) => state.setColumn(Number(e.target.value))}>
            {csv.table.header.map((h, j) => (
              <option key={j} value={j}>
                {h || `(column ${j + 1})`}
              </option>
            ))}
          </select>
          <p className="hint">
            {csv.fileName}: {csv.table.rows.length.toLocaleString("en-US")} rows, {csv.table.header.length} columns. First values:{" "}
            {csv.table.rows
              .slice(0, 3)
              .map((r) => `“${(r[column] ?? "").slice(0, 60)}”`)
              .join(", ")}
          </p>
        </div>
      ) : null}
    </>
  );
}
