// The security headers of every answer (pages, API routes, static files), set by proxy.ts.
//
// Scripts: a fresh nonce per request plus 'strict-dynamic' (Next.js reads the nonce from the
// request's Content-Security-Policy header and puts it on its own inline and bundle scripts, which
// then load the rest); no 'unsafe-inline' and, outside development, no 'unsafe-eval'. Every page
// is rendered per request (app/layout.tsx), so no page is served with a stale nonce.
// Styles: 'unsafe-inline', since React renders style attributes (the charts, progress bars) that a
// nonce cannot cover; styles cannot run code.

export function contentSecurityPolicy(nonce: string, dev = process.env.NODE_ENV === "development"): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function securityHeaders(csp: string): Record<string, string> {
  return {
    "content-security-policy": csp,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
  };
}

/** A nonce: 16 random bytes, base64. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
