import { NextResponse } from "next/server";
import { db } from "../db/client";
import { signInAddress } from "./options";
import { lockedForSeconds, throttleKeys } from "./throttle";

// The credentials sign-in refused while its account or client address is locked: 429 with
// Retry-After, before any password is checked. The body also carries next-auth's `url` shape (with
// ?error=TooManyAttempts) so that next-auth's own client can read it.

export function tooManyAttemptsMessage(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  return `Too many attempts, try again in ${minutes} minute${minutes === 1 ? "" : "s"}`;
}

export async function signInRefusal(req: Request): Promise<Response | null> {
  const url = new URL(req.url);
  if (req.method !== "POST" || !url.pathname.endsWith("/callback/credentials")) return null;
  const form = await req.clone().formData().catch(() => null);
  const email = form?.get("email");
  if (typeof email !== "string") return null;
  const seconds = await lockedForSeconds(db(), throttleKeys(email, signInAddress(req.headers)));
  if (seconds <= 0) return null;
  const login = new URL("/login", url);
  login.searchParams.set("error", "TooManyAttempts");
  return NextResponse.json(
    { error: tooManyAttemptsMessage(seconds), retryAfterSeconds: seconds, url: login.href },
    { status: 429, headers: { "retry-after": String(seconds) } },
  );
}
