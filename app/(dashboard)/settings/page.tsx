import type { Metadata } from "next";
import Link from "next/link";
import { ModelsSettings } from "@/components/settings/ModelsSettings";
import { SchedulesSettings } from "@/components/settings/SchedulesSettings";
import { TokensSettings } from "@/components/settings/TokensSettings";
import { TrainingDefaultsForm } from "@/components/settings/TrainingDefaultsForm";
import { UsersSettings } from "@/components/settings/UsersSettings";
import { WebhooksSettings } from "@/components/settings/WebhooksSettings";
import { getCurrentUser } from "@/lib/session";

export const metadata: Metadata = { title: "Settings" };
export const dynamic = "force-dynamic";

export default async function SettingsPage() {
  const user = await getCurrentUser();
  if (user?.role !== "admin") {
    return (
      <section data-testid="forbidden">
        <h1>Settings</h1>
        <div className="alert alert-error" role="alert">
          <div className="alert-title">403: admins only</div>
          <p>
            Your account ({user?.email}) is a viewer. Ask an admin to change models, defaults, schedules, webhooks, users or tokens. You can still follow{" "}
            <Link href="/">runs</Link>, browse <Link href="/data">data</Link> and <Link href="/predict">predict</Link>.
          </p>
        </div>
      </section>
    );
  }
  return (
    <section>
      <div className="page-header">
        <h1>Settings</h1>
        <nav aria-label="Settings sections" className="row small">
          <a href="#models">Models</a>
          <a href="#training-defaults">Training defaults</a>
          <a href="#schedules">Schedules</a>
          <a href="#webhooks">Webhooks</a>
          <a href="#users">Users</a>
          <a href="#tokens">API tokens</a>
        </nav>
      </div>
      <ModelsSettings />
      <TrainingDefaultsForm />
      <SchedulesSettings />
      <WebhooksSettings />
      <UsersSettings />
      <TokensSettings />
    </section>
  );
}
