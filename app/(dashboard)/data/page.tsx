import type { Metadata } from "next";
import { DataBrowser } from "@/components/data/DataBrowser";
import { ImportForm } from "@/components/data/ImportForm";
import { getCurrentUser } from "@/lib/session";

export const metadata: Metadata = { title: "Data" };
export const dynamic = "force-dynamic";

export default async function DataPage({ searchParams }: { searchParams: Promise<{ table?: string }> }) {
  const user = await getCurrentUser();
  const { table } = await searchParams;
  const isAdmin = user?.role === "admin";
  return (
    <section>
      <div className="page-header">
        <h1>Data</h1>
      </div>
      <p className="muted">
        The tables a training run can read. Browse and search their rows, see how their labels are spread
        {isAdmin ? ", or import a labelled CSV or JSONL file as a new table" : ""}.
      </p>
      <DataBrowser initialTable={table} isAdmin={isAdmin} />
      {isAdmin ? <ImportForm /> : null}
    </section>
  );
}
