// The address a sign-in comes from, for throttling. The web server appends the TCP peer's address
// to X-Forwarded-For before Next.js sees a request (lib/web/forwarded-for.ts), so the last entry is
// always the socket's address, which no client can forge. With TRUST_PROXY=n, n reverse proxies of
// our own stand in front: each appended its own peer, and the entry n places from the end is the
// client as the outermost trusted proxy saw it. Anything further left was written by the client.

export function clientAddress(forwardedFor: string | null | undefined, trustedProxies: number): string {
  const chain = (forwardedFor ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  if (chain.length === 0) return "unknown";
  return chain[Math.max(0, chain.length - 1 - trustedProxies)];
}
