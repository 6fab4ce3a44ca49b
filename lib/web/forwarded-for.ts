import type http from "node:http";
import type { Socket } from "node:net";

// Next.js copies the socket's address into X-Forwarded-For only when a request has none, so a
// client could name any address it likes. This appends the TCP peer's address to whatever the
// request carries, as a proxy would, before Next.js handles the request: the last entry is then
// always the real peer (see lib/auth/client-address.ts). Called for every request by
// lib/web/request-hooks.ts.

export function appendPeer(req: http.IncomingMessage): void {
  const peer = (req.socket as Socket | undefined)?.remoteAddress;
  if (!peer) return;
  const given = req.headers["x-forwarded-for"];
  const prior = Array.isArray(given) ? given.join(", ") : given;
  req.headers["x-forwarded-for"] = prior ? `${prior}, ${peer}` : peer;
}
