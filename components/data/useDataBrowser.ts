"use client";

import { usePathname, useRouter } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";
import { guessColumns } from "@/lib/data/columns";
import { useTableRows, useTables } from "./useTables";

export const PAGE = 25;

export type DataBrowserState = ReturnType<typeof useDataBrowser>;

/** The data page's state: the chosen table (kept in the URL), search, page, label column, and their queries. */
export function useDataBrowser(initialTable: string | undefined) {
  const router = useRouter();
  const pathname = usePathname();
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

  // The page of rows, and the label column's counts over every row the search finds.
  const rows = useTableRows(table?.name ?? null, q, offset, PAGE, label);

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

  function clearSearch() {
    setQ("");
    setDraft("");
    setOffset(0);
  }

  return { tables, list, table, guessed, label, setLabelColumn, rows, draft, setDraft, q, offset, setOffset, pick, onSearch, clearSearch };
}
