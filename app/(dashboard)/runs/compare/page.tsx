import type { Metadata } from "next";
import { RunsCompare } from "@/components/runs/compare/RunsCompare";
import { splitIds } from "@/lib/dashboard/run-compare";

export const metadata: Metadata = { title: "Compare runs" };

/** /runs/compare?ids=a,b,c */
export default async function ComparePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ids = splitIds((await searchParams).ids);
  // key: a fresh view per set of runs
  return <RunsCompare key={ids.join(",")} ids={ids} />;
}
