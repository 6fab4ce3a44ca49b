import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { LoginForm } from "@/components/auth/LoginForm";
import { getCurrentUser } from "@/lib/session";

export const metadata: Metadata = { title: "Sign in" };

interface LoginPageProps {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function LoginPage({ searchParams }: LoginPageProps) {
  const params = await searchParams;
  const raw = params.callbackUrl;
  const callbackUrl = Array.isArray(raw) ? raw[0] : raw;

  if (await getCurrentUser()) redirect("/");

  return (
    <main className="auth-wrap">
      <div className="card auth-card">
        <h1>Sign in</h1>
        <p className="muted">Fine-tuning dashboard for text classifiers.</p>
        <LoginForm callbackUrl={callbackUrl} />
      </div>
    </main>
  );
}
