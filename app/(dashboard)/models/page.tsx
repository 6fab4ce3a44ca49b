import type { Metadata } from "next";
import { ModelsView } from "@/components/models/ModelsView";
import { getCurrentUser } from "@/lib/session";

export const metadata: Metadata = { title: "Models" };

export default async function ModelsPage() {
  const user = await getCurrentUser();
  return <ModelsView isAdmin={user?.role === "admin"} />;
}
