"use client";

import { useQuery } from "@tanstack/react-query";
import type { RowsPage, TablePreview, TableSummary } from "@/lib/data/tables";
import { apiFetch } from "../api";

export type { RowsPage, TablePreview, TableSummary };

const enc = encodeURIComponent;

/** GET /api/tables: the user tables a run can read. */
export function useTables() {
  return useQuery({
    queryKey: ["tables"],
    queryFn: ({ signal }) => apiFetch<{ tables: TableSummary[] }>("/api/tables", { signal }).then((r) => r.tables),
    staleTime: 30_000,
  });
}

/** GET /api/tables/:name/preview (first rows; label distribution when a label column is given). */
export function useTablePreview(table: string | null, label: string | null, text: string | null, rows = 10) {
  const qs = new URLSearchParams({ rows: String(rows) });
  if (label) qs.set("label", label);
  if (text) qs.set("text", text);
  return useQuery({
    queryKey: ["table-preview", table, label, text, rows],
    queryFn: ({ signal }) => apiFetch<TablePreview>(`/api/tables/${enc(table!)}/preview?${qs}`, { signal }),
    enabled: !!table,
    staleTime: 30_000,
  });
}

/** GET /api/tables/:name/rows (paged, searchable; with a label column, its counts over the rows found). */
export function useTableRows(table: string | null, q: string, offset: number, limit: number, label: string | null = null) {
  const qs = new URLSearchParams({ offset: String(offset), limit: String(limit) });
  if (q) qs.set("q", q);
  if (label) qs.set("label", label);
  return useQuery({
    queryKey: ["table-rows", table, q, offset, limit, label],
    queryFn: ({ signal }) => apiFetch<RowsPage>(`/api/tables/${enc(table!)}/rows?${qs}`, { signal }),
    enabled: !!table,
    placeholderData: (prev) => (prev && prev.table === table ? prev : undefined),
  });
}

export function rowCountText(t: Pick<TableSummary, "rows" | "rowsExact">): string {
  const n = t.rows.toLocaleString("en-US");
  return t.rowsExact ? `${n} rows` : `about ${n} rows`;
}
