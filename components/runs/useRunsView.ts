"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { DEFAULT_RUN_SORT, type RunSortKey } from "@/lib/validations/run-list-query";

// The Runs list's view — search, filters, sort and page — kept in the page's URL, so that back
// and forward, a reload and a shared link all show the same view. Each change is a history entry.

export const VIEW_PARAMS = ["q", "model", "table", "status", "tag", "sort", "offset"] as const;
export type ViewParam = (typeof VIEW_PARAMS)[number];
export type RunsView = Record<ViewParam, string>;

/** Keys whose first click sorts descending (numbers and dates: the largest or newest first). */
const DESCENDING_FIRST: RunSortKey[] = ["createdAt", "accuracy", "macroF1", "epochs", "learningRate"];

export function useRunsView() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const view = Object.fromEntries(VIEW_PARAMS.map((k) => [k, params.get(k) ?? ""])) as RunsView;

  /** Changes some of the view (a filter change goes back to the first page); empty values are dropped. */
  function update(patch: Partial<RunsView>) {
    const next = new URLSearchParams(params.toString());
    if (!("offset" in patch)) next.delete("offset");
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    const qs = next.toString();
    router.push(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  }

  const sort = view.sort || DEFAULT_RUN_SORT;
  const sortKey = sort.replace(/^-/, "");
  const sortDescending = sort.startsWith("-");

  /** Sorts by `key`, or turns the sort around when it already sorts by it. */
  function sortBy(key: RunSortKey) {
    const next = key === sortKey ? (sortDescending ? key : `-${key}`) : DESCENDING_FIRST.includes(key) ? `-${key}` : key;
    update({ sort: next === DEFAULT_RUN_SORT ? "" : next, offset: view.offset });
  }

  /** The API's query for this view. */
  const apiParams = new URLSearchParams(VIEW_PARAMS.flatMap((k) => (view[k] ? [[k, view[k]] as [string, string]] : [])));

  return { view, update, sortBy, sortKey, sortDescending, apiParams, filtered: ["q", "model", "table", "status", "tag"].some((k) => view[k as ViewParam]) };
}

/**
 * A text box whose value goes to the URL once typing pauses (one history entry per search, not
 * per key); it follows the URL when that changes (back, forward, a cleared filter).
 */
export function useDebouncedParam(value: string, commit: (v: string) => void, delayMs = 400) {
  const [draft, setDraft] = useState(value);
  const [seen, setSeen] = useState(value);
  const [sent, setSent] = useState<string | null>(null);
  // The latest commit (it reads the URL as it is when typing pauses, not when it began).
  const commitRef = useRef(commit);
  useEffect(() => {
    commitRef.current = commit;
  });
  if (value !== seen) {
    setSeen(value);
    // Our own search arriving in the URL leaves what was typed since alone.
    if (value !== sent) setDraft(value);
    setSent(null);
  }
  useEffect(() => {
    const next = draft.trim();
    if (next === value) return;
    const t = setTimeout(() => {
      setSent(next);
      commitRef.current(next);
    }, delayMs);
    return () => clearTimeout(t);
  }, [draft, value, delayMs]);
  return [draft, setDraft] as const;
}
