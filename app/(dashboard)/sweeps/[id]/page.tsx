import type { Metadata } from "next";
import { SweepDetail } from "@/components/sweeps/SweepDetail";
import { getCurrentUser } from "@/lib/session";

export const metadata: Metadata = { title: "Sweep" };

export default async function SweepPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await getCurrentUser();
  return <SweepDetail key={id} id={id} isAdmin={user?.role === "admin"} />;
}
