import type { Metadata } from "next";
import Link from "next/link";
import { NewRunForm } from "@/components/NewRunForm";
import { getCurrentUser } from "@/lib/session";
import { EXAMPLE_REQUEST } from "@/lib/validations/run-request";

export const metadata: Metadata = { title: "New run" };

export default async function NewRunPage() {
  const user = await getCurrentUser();
  if (user?.role !== "admin") {
    return (
      <section>
        <h1>New run</h1>
        <div className="alert alert-info" role="status">
          Only admins can start training runs. You can follow existing runs on the <Link href="/">Runs</Link> page and try the
          serving model on <Link href="/predict">Predict</Link>.
        </div>
      </section>
    );
  }
  return (
    <section>
      <div className="page-header">
        <h1>New run</h1>
      </div>
      <div className="card">
        <NewRunForm initialText={JSON.stringify(EXAMPLE_REQUEST, null, 2)} />
      </div>
    </section>
  );
}
