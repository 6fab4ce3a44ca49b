import type { Metadata } from "next";
import Link from "next/link";
import { NewRunForm } from "@/components/new-run/NewRunForm";
import { db } from "@/lib/db/client";
import { getCurrentUser } from "@/lib/session";
import { getTrainingDefaults } from "@/lib/settings-training";
import { STARTER_DEFAULTS } from "@/lib/training/train-args";
import { EXAMPLE_REQUEST } from "@/lib/validations/run-request";

export const metadata: Metadata = { title: "New run" };
export const dynamic = "force-dynamic";

export default async function NewRunPage({ searchParams }: { searchParams: Promise<{ table?: string; columns?: string }> }) {
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
  const { defaults } = await getTrainingDefaults(db());
  const params = await searchParams;
  // The example request, with the admins' default training arguments, and a table chosen elsewhere (the data page).
  const initial: Record<string, unknown> = { ...EXAMPLE_REQUEST, ...defaults };
  if (params.table) {
    initial.table = params.table;
    if (params.columns) initial.columns = params.columns;
    else delete initial.columns;
    delete initial.limit;
  }
  const placeholders: Record<string, string> = {
    learning_rate: `auto (${STARTER_DEFAULTS.learningRate}; less on big tables)`,
    num_train_epochs: String(STARTER_DEFAULTS.numTrainEpochs),
    per_device_train_batch_size: "auto",
    weight_decay: String(STARTER_DEFAULTS.weightDecay),
    warmup_ratio: String(STARTER_DEFAULTS.warmupRatio),
    seed: String(STARTER_DEFAULTS.seed),
    evaluation_strategy: "no",
    ...Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])),
  };
  return (
    <section>
      <div className="page-header">
        <h1>New run</h1>
        <p className="muted small">
          Admins&apos; defaults for training arguments are set in <Link href="/settings#training-defaults">Settings</Link>.
        </p>
      </div>
      <div className="card">
        <NewRunForm initialText={JSON.stringify(initial, null, 2)} placeholders={placeholders} />
      </div>
    </section>
  );
}
