"use client";

// components/auth/: the sign-in page (app/(auth)/login).

import { getCsrfToken } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

/** Only same-origin paths are followed after sign-in (no open redirect). */
export function safeCallbackUrl(raw: string | undefined | null): string {
  if (!raw) return "/";
  try {
    const base = "http://placeholder.invalid";
    const url = new URL(raw, base);
    if (url.origin !== base && typeof window !== "undefined" && url.origin !== window.location.origin) return "/";
    const path = `${url.pathname}${url.search}${url.hash}`;
    if (!path.startsWith("/") || path.startsWith("//") || path.startsWith("/login")) return "/";
    return path;
  } catch {
    return "/";
  }
}

/**
 * next-auth's credentials sign-in, as its signIn() does it, but keeping the answer's status: a 429
 * (too many attempts) carries its own message with the cool-down. Returns null on success, else
 * the message to show.
 */
async function postCredentials(email: string, password: string): Promise<string | null> {
  const csrfToken = (await getCsrfToken()) ?? "";
  const res = await fetch("/api/auth/callback/credentials", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email, password, csrfToken, json: "true" }),
  });
  const body = (await res.json().catch(() => null)) as { url?: string; error?: string } | null;
  if (res.status === 429) {
    const minutes = Math.max(1, Math.ceil(Number(res.headers.get("retry-after") ?? 60) / 60));
    return body?.error ?? `Too many attempts, try again in ${minutes} minutes`;
  }
  const error = body?.url ? new URL(body.url, window.location.href).searchParams.get("error") : "unknown";
  return res.ok && !error ? null : "Wrong e-mail or password";
}

export function LoginForm({ callbackUrl }: { callbackUrl?: string }) {
  const router = useRouter();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const problem = await postCredentials(email, password);
      if (problem) {
        setError(problem);
        setBusy(false);
        return;
      }
      router.replace(safeCallbackUrl(callbackUrl));
      router.refresh();
    } catch {
      setError("Could not reach the server. Check that it is running and try again.");
      setBusy(false);
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-describedby={error ? "login-error" : undefined}>
      {error ? (
        <div className="alert alert-error" role="alert" id="login-error" data-testid="login-error">
          {error}
        </div>
      ) : null}
      <div className="field">
        <label htmlFor="email">E-mail</label>
        <input
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          required
          autoFocus
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          aria-invalid={error ? true : undefined}
        />
      </div>
      <div className="field">
        <label htmlFor="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-invalid={error ? true : undefined}
        />
      </div>
      <button type="submit" className="btn btn-primary" disabled={busy} style={{ width: "100%", justifyContent: "center" }}>
        Sign in
      </button>
      {busy ? (
        <p className="hint" role="status">
          Signing in…
        </p>
      ) : null}
    </form>
  );
}
