import type { Metadata } from "next";
import { Suspense } from "react";
import { RunsList } from "@/components/runs/RunsList";
import { getCurrentUser } from "@/lib/session";

export const metadata: Metadata = { title: "Runs" };

export default async function RunsPage() {
  const user = await getCurrentUser();
  // The list reads its view from the URL's search params (useSearchParams).
  return (
    <Suspense>
      <RunsList canCreate={user?.role === "admin"} />
    </Suspense>
  );
}
