import type { ReactNode } from "react";

// The tables of the dashboard: header row, or the whole scrolling table.

export interface Column {
  label: ReactNode;
  /** Right-aligned, for numbers. */
  num?: boolean;
  /** For a column the table is sorted by (aria-sort). */
  sort?: "ascending" | "descending";
}

/** A right-aligned (numeric) column. */
export const numeric = (label: ReactNode): Column => ({ label, num: true });

/** The unlabelled column of a row's buttons (named for screen readers only). */
export const ACTIONS: Column = { label: <span className="visually-hidden">Actions</span> };

export function TableHead({ columns }: { columns: (string | Column)[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c, i) => {
          const col = typeof c === "string" ? { label: c } : c;
          return (
            <th key={i} scope="col" className={col.num ? "num" : undefined} aria-sort={col.sort}>
              {col.label}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}

/** A scrolling table of the dashboard: caption (for screen readers), header row, then `children` as the rows. */
export function Table({
  columns,
  caption,
  testId,
  className = "table",
  scrollLabel,
  children,
}: {
  columns: (string | Column)[];
  caption?: ReactNode;
  testId?: string;
  className?: string;
  /** For a table with nothing focusable in it that may scroll sideways: its scroll area joins the Tab order under this name. */
  scrollLabel?: string;
  children: ReactNode;
}) {
  return (
    <div className="table-wrap" {...(scrollLabel ? { tabIndex: 0, role: "region", "aria-label": scrollLabel } : {})}>
      <table className={className} data-testid={testId}>
        {caption ? <caption className="visually-hidden">{caption}</caption> : null}
        <TableHead columns={columns} />
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
