import type http from "node:http";
import { contentSecurityPolicy, newNonce, securityHeaders } from "./security-headers";

// A path with a malformed %-escape (`/api/models/%E0%A4%A`, a lone `%`) makes Next.js fail before
// any route or proxy.ts runs, with a plain-text 500. This answers it first: a JSON 400 with the
// usual security headers. Called for every request by lib/web/request-hooks.ts.

export function hasMalformedEscape(url: string | undefined): boolean {
  const path = (url ?? "").split("?", 1)[0];
  try {
    decodeURIComponent(path);
    return false;
  } catch {
    return true;
  }
}

/** Answers a request whose path cannot be decoded; returns whether it did. */
export function refuseMalformedPath(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  if (!hasMalformedEscape(req.url)) return false;
  const body = JSON.stringify({ error: "The URL's path holds a malformed %-escape (a % must be followed by two hex digits of valid UTF-8)" });
  res.writeHead(400, { ...securityHeaders(contentSecurityPolicy(newNonce())), "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
  return true;
}
