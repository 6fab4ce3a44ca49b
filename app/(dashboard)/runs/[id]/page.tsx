import type { Metadata } from "next";
import { RunDetail } from "@/components/runs/RunDetail";

export const metadata: Metadata = { title: "Run" };

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  // key: a fresh live view (log buffer, event stream) per run.
  return <RunDetail key={id} id={id} />;
}
