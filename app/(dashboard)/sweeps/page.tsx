import type { Metadata } from "next";
import { SweepForm } from "@/components/sweeps/SweepForm";
import { SweepsList } from "@/components/sweeps/SweepsList";
import { db } from "@/lib/db/client";
import { getCurrentUser } from "@/lib/session";
import { getTrainingDefaults } from "@/lib/settings-training";
import { EXAMPLE_REQUEST } from "@/lib/validations/run-request";

export const metadata: Metadata = { title: "Sweeps" };
export const dynamic = "force-dynamic";

export default async function SweepsPage() {
  const user = await getCurrentUser();
  const isAdmin = user?.role === "admin";
  // The new-run form's example with the admins' defaults; the grid below starts with learning_rate.
  const { learning_rate: _swept, ...initial } = isAdmin ? { ...EXAMPLE_REQUEST, ...(await getTrainingDefaults(db())).defaults } : EXAMPLE_REQUEST;
  return (
    <section>
      <div className="page-header">
        <h1>Sweeps</h1>
      </div>
      <p className="muted small">One run request trained at every point of a grid; the runs are ranked by a metric of the new model.</p>
      {isAdmin ? (
        <div className="card">
          <SweepForm initialRequest={JSON.stringify(initial, null, 2)} />
        </div>
      ) : null}
      <div className="card">
        <SweepsList />
      </div>
    </section>
  );
}
