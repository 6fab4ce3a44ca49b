import type { Metadata } from "next";
import { Overview } from "@/components/overview/Overview";
import { getOverview } from "@/lib/dashboard/overview";
import { db } from "@/lib/db/client";
import { getCurrentUser } from "@/lib/session";

export const metadata: Metadata = { title: "Overview" };
export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  const user = await getCurrentUser();
  if (!user) return null; // the layout sends anonymous visitors to /login
  const overview = await getOverview(db());
  return <Overview initialData={overview} isAdmin={user.role === "admin"} />;
}
