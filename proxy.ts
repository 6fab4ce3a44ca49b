import { NextResponse, type NextRequest } from "next/server";
import { crossOriginRefusal } from "@/lib/web/same-origin";
import { contentSecurityPolicy, newNonce, securityHeaders } from "@/lib/web/security-headers";

// Runs before every request (pages, API routes, next-auth's routes, static files) but those to
// /api/predict and /api/health: refuses cross-origin writes (403) and sets the security headers,
// with a fresh CSP nonce for the page. Those two routes do both themselves
// (lib/web/outside-proxy.ts): the proxy's cost per request is more than a short prediction's, and
// the health check, the web stack's ceiling in the serving bench, takes the same path as predict.

export function proxy(request: NextRequest) {
  const csp = contentSecurityPolicy(newNonce());
  const refusal = crossOriginRefusal(request);
  const response = refusal
    ? NextResponse.json({ error: refusal }, { status: 403 })
    : NextResponse.next({ request: { headers: withHeader(request.headers, "content-security-policy", csp) } });
  for (const [name, value] of Object.entries(securityHeaders(csp))) response.headers.set(name, value);
  return response;
}

function withHeader(headers: Headers, name: string, value: string): Headers {
  const copy = new Headers(headers);
  copy.set(name, value);
  return copy;
}

export const config = { matcher: ["/((?!api/(?:predict|health)$).*)"] };
