import type { Metadata } from "next";
import { RunsList } from "@/components/runs/RunsList";
import { getCurrentUser } from "@/lib/session";

export const metadata: Metadata = { title: "Runs" };

export default async function RunsPage() {
  const user = await getCurrentUser();
  return <RunsList canCreate={user?.role === "admin"} />;
}
